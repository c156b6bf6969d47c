-- GET /api/v1/sessions?limit=50 on every request.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

wrk.method = "GET"
wrk.path = "/api/v1/sessions?limit=50"
