-- GET /health: the baseline. Same server, same listener and HTTP stack, no auth, no store; the
-- scenarios' ratios against it show what the API and the store add on top of the framework.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

wrk.method = "GET"
wrk.path = "/health"
