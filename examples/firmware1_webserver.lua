-- A web server as 1.x tutorials wrote it, for --firmware=1 (NodeMCU 1.5.4.1): a numbered timer
-- waits for the IP, positional wifi.sta.config, net.createServer(net.TCP), the answer sent
-- from "receive" and the socket closed from "sent" — after which 1.5.4.1 calls
-- "disconnection" with the socket only. getpeer() is ip, port in this release.
-- Usage: nodemcu-emu --firmware=1 examples/firmware1_webserver.lua [port]
-- Try it: curl http://127.0.0.1:8080/hello
local port = tonumber(arg and arg[1]) or 8080

wifi.setmode(wifi.STATION)
wifi.sta.config("myssid", "mypassword")

tmr.alarm(0, 1000, tmr.ALARM_AUTO, function()
  local ip = wifi.sta.getip()
  if not ip then
    print("waiting for IP")
    return
  end
  tmr.stop(0)
  local srv = net.createServer(net.TCP, 30)
  srv:listen(port, function(conn)
    conn:on("receive", function(sck, request)
      local path = request:match("^GET (%S+)") or "?"
      local peer_ip, peer_port = sck:getpeer()
      print(peer_ip .. ":" .. peer_port .. " GET " .. path)
      sck:send("HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" ..
        "<h1>Hello from NodeMCU 1.5.4.1</h1><p>You asked for " .. path .. "</p>\n")
    end)
    conn:on("sent", function(sck) sck:close() end)
    conn:on("disconnection", function() print("client gone, heap " .. node.heap()) end)
  end)
  print("listening on http://" .. ip .. ":" .. port .. "/")
end)
