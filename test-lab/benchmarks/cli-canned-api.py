import http.server, json, sys
S=[{"id":i,"state":"forwarding","user":"user%d@isp"%i,"mac":"02:00:00:00:00:%02x"%i,"iface":"eth1","outerVlan":-1,"innerVlan":-1,"pppoeSessionId":i,"lns":"lns-a","tunnelId":1,"callId":i,"since":"2026-12-06T22:00:00Z","bytesUp":100,"bytesDown":200,"packetsUp":1,"packetsDown":2} for i in range(1,51)]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        b=json.dumps(S if self.path.startswith("/v1/sessions?") else {"sessions":50}).encode()
        self.send_response(200); self.send_header("Content-Type","application/json"); self.send_header("Content-Length",str(len(b))); self.end_headers(); self.wfile.write(b)
    def log_message(self,*a): pass
http.server.ThreadingHTTPServer(("127.0.0.1",int(sys.argv[1])),H).serve_forever()
