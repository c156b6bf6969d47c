-- POST /api/v1/sessions with a fixed body, on every request.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

wrk.method = "POST"
wrk.path = "/api/v1/sessions"
wrk.body = '{"agent":"command","name":"bench"}'
