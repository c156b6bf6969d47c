-- Alternates POST /api/v1/sessions/{sid}/tasks and GET /api/v1/tasks/{id} of the task this thread
-- created last (each wrk thread has its own Lua state, so last_task is per thread).
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local sid = bench_env("BENCH_SESSION_ID")
local create_path = "/api/v1/sessions/" .. sid .. "/tasks"
local create_body = '{"prompt":"echo hi"}'
local last_task = nil
local n = 0

request = function()
  n = n + 1
  if last_task ~= nil and n % 2 == 0 then
    -- wrk.body is nil, so this request carries no body and no Content-Length.
    return wrk.format("GET", "/api/v1/tasks/" .. last_task)
  end
  return wrk.format("POST", create_path, nil, create_body)
end

response = function(status, headers, body)
  if status == 201 then
    local id = string.match(body, '"id"%s*:%s*"(task_[%w]+)"')
    if id ~= nil then last_task = id end
  end
end
