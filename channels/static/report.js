document.getElementById('report-form').addEventListener('submit', function () {
  var b = document.getElementById('submit'); b.disabled = true; b.textContent = '正在提交…';
});
document.getElementById('locate').addEventListener('click', function () {
  var s = document.getElementById('locate-status');
  if (!navigator.geolocation) { s.textContent = '此设备不支持定位，请填写地点'; return; }
  s.textContent = '正在定位…';
  navigator.geolocation.getCurrentPosition(function (p) {
    document.getElementById('lat').value = p.coords.latitude.toFixed(6);
    document.getElementById('lng').value = p.coords.longitude.toFixed(6);
    s.textContent = '已获取位置';
  }, function () { s.textContent = '无法获取位置，请填写地点'; }, {timeout: 10000});
});
