-- wrk script: POST a citizen report with a unique submission_token per request.
local thread_id = 0
local counter = 0
local prefix = tostring(os.time())

function setup(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
end

local texts = {
  "小区门口的路灯不亮了，晚上很黑，老人出门不方便",
  "楼下垃圾桶满了好几天没人清，味道很大",
  "建国门内大街18号附近井盖没了，很危险",
  "晚上工地施工噪音扰民，十一点还在干",
  "公司拖欠工资三个月了，老板联系不上",
}

function request()
  counter = counter + 1
  local body = string.format(
    '{"description":"%s（%d）","address":"苏州园小区3号楼","submission_token":"w%s-%d-%d"}',
    texts[(counter % #texts) + 1], counter, prefix, tid, counter)
  return wrk.format("POST", "/api/v1/reports", {["Content-Type"] = "application/json"}, body)
end
