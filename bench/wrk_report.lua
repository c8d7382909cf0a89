-- wrk script: POST citizen reports with a unique submission_token per request. The texts
-- combine problems with places of the sample registry (bench/out/places.lua, written by
-- bench/intake_bench.py), so most reports are new cases and some repeat an open one.
local thread_id = 0
local counter = 0
local prefix = tostring(os.time())

function setup(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  dofile(args[1])  -- defines PLACES
  math.randomseed(os.time() + tid * 7919)
end

local problems = {
  "的路灯不亮了，晚上很黑，老人出门不方便",
  "垃圾桶满了好几天没人清，味道很大",
  "井盖没了，很危险，赶紧派人来看看",
  "工地晚上施工噪音扰民，十一点还在干",
  "有人占道经营，摆摊卖菜把路都堵了",
  "下水道堵了，污水漫到路上",
  "楼道里堆满了杂物，消防通道被堵",
  "小广告贴得到处都是，墙上全是",
  "树枝断了挂在电线上，刮风怕掉下来",
  "共享单车乱停乱放，人都走不过去",
  "自来水管漏水好几天了，一直流",
  "电动车在楼道里充电，太危险了",
  "路面塌了一个坑，车开过去很颠",
  "公厕没人打扫，脏得没法用",
  "违章停车把小区门口堵死了",
  "广场舞音响声音太大，晚上睡不着",
}

function request()
  counter = counter + 1
  local place = PLACES[math.random(#PLACES)]
  local problem = problems[math.random(#problems)]
  local body = string.format(
    '{"description":"%s%s","submission_token":"w%s-%d-%d"}',
    place, problem, prefix, tid, counter)
  return wrk.format("POST", "/api/v1/reports", {["Content-Type"] = "application/json"}, body)
end
