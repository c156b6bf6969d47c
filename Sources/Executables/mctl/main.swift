// mctl: command-line client of the Marionette public and admin APIs.
await Entry.run()
