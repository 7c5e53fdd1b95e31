// embed_control_plane: a C++ service that already runs libuv and adds a Kong control plane to
// its loop. kong/uv.h wraps uv_default_loop() as a kong::EventLoop; the ControlPlane then shares
// the loop with the service's own handles (a uv_timer and a uv_tcp_t here) and every callback
// runs on this one thread, so the service may call the ControlPlane from its handles' callbacks.
// The service creates a Kong service through the Admin API, waits until the control plane
// pushes a new config_hash, then stops the control plane, closes its handles and checks that
// uv_loop_close() finds nothing left open.
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "example_support.h"
#include "kong/kong.h"
#include "kong/uv.h"

namespace {

const char kProgram[] = "embed_control_plane";

// The service's state, reached from its handles' callbacks through handle->data.
struct Service {
  kong::ControlPlane* cp = nullptr;
  uv_timer_t tick;  // every 50 ms: watches the config_hash and a 20 s deadline
  uv_tcp_t admin;   // one HTTP/1.1 request to the Admin API
  uv_connect_t connect;
  uv_write_t write;
  std::string request, response;
  char buffer[4096];
  uint64_t started_ms = 0;
  std::string hash_before;  // the first config_hash pushed, before the POST
  bool created = false;
  std::string error;  // set on failure; empty on success
  bool stopping = false;

  // Stops the control plane; the service's handles close once it has stopped, and then
  // uv_run returns because nothing is left open.
  void Finish(std::string failure) {
    if (stopping) return;
    stopping = true;
    error = std::move(failure);
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&admin)))
      uv_close(reinterpret_cast<uv_handle_t*>(&admin), nullptr);
    cp->Stop([this] { uv_close(reinterpret_cast<uv_handle_t*>(&tick), nullptr); });
  }
};

// The Admin API answered and closed the connection ("Connection: close").
void OnAdminClosed(uv_handle_t* handle) noexcept {
  auto* s = static_cast<Service*>(handle->data);
  if (s->stopping) return;
  std::string status_line = s->response.substr(0, s->response.find("\r\n"));
  size_t body = s->response.find("\r\n\r\n");
  std::printf("POST /services -> %s\n%s\n", status_line.c_str(),
              body == std::string::npos ? "" : s->response.c_str() + body + 4);
  if (status_line.find(" 201 ") == std::string::npos) return s->Finish("expected 201 Created");
  s->created = true;  // OnTick waits for the push
}

void OnAdminRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept {
  auto* s = static_cast<Service*>(stream->data);
  if (nread > 0) s->response.append(buf->base, static_cast<size_t>(nread));
  if (nread < 0) uv_close(reinterpret_cast<uv_handle_t*>(stream), OnAdminClosed);  // EOF
}

void OnAdminConnected(uv_connect_t* req, int rc) noexcept {
  auto* s = static_cast<Service*>(req->data);
  if (rc != 0) return s->Finish(std::string("connect to the Admin API: ") + uv_strerror(rc));
  uv_buf_t buf = uv_buf_init(s->request.data(), static_cast<unsigned>(s->request.size()));
  uv_write(&s->write, req->handle, &buf, 1, nullptr);
  uv_read_start(
      req->handle,
      [](uv_handle_t* h, size_t, uv_buf_t* out) {
        auto* svc = static_cast<Service*>(h->data);
        *out = uv_buf_init(svc->buffer, sizeof svc->buffer);
      },
      OnAdminRead);
}

// POST /services on the Admin API: an ordinary HTTP client on the same loop.
void SendAdminRequest(Service* s) {
  const std::string body = R"({"name":"example-service","url":"http://127.0.0.1:8080/anything"})";
  s->request =
      "POST /services HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", s->cp->admin_ports().at(0), &addr);
  uv_tcp_connect(&s->connect, &s->admin, reinterpret_cast<sockaddr*>(&addr), OnAdminConnected);
}

void OnTick(uv_timer_t* timer) noexcept {
  auto* s = static_cast<Service*>(timer->data);
  if (s->stopping) return;
  if (uv_now(timer->loop) - s->started_ms > 20000) return s->Finish("timed out after 20 s");
  // Same thread as the ControlPlane: its accessors may be called directly.
  const std::string hash = s->cp->config_hash();
  if (s->hash_before.empty() && !hash.empty()) {  // the first export is done
    std::printf("the control plane pushes config_hash %s\n", hash.c_str());
    s->hash_before = hash;
    SendAdminRequest(s);
  } else if (s->created && hash != s->hash_before) {
    std::printf("the control plane now pushes config_hash %s\n", hash.c_str());
    s->Finish("");
  }
}

}  // namespace

int main() {
  std::signal(SIGPIPE, SIG_IGN);  // the library writes to sockets; see kong/event_loop.h
  uv_loop_t* uv = uv_default_loop();
  example::TempDir prefix;
  if (!prefix.ok()) return example::Fail(kProgram, "could not create a temp folder");

  // A control plane needs the cluster certificate pair; kong.conf also takes inline PEM.
  auto pair = kong::CertGen::Generate(kong::CertGenOptions{});
  if (!pair.ok()) return example::Fail(kProgram, "certificates", pair.status());
  auto conf = example::ConfWith({{"role", "control_plane"},
                                 {"prefix", prefix.path()},  // kong.db (SQLite), kong.id
                                 {"admin_listen", "127.0.0.1:0"},
                                 {"cluster_listen", "127.0.0.1:0"},
                                 {"cluster_cert", pair->cert_pem},
                                 {"cluster_cert_key", pair->key_pem}});
  if (!conf.ok()) return example::Fail(kProgram, "kong.conf", conf.status());

  auto loop = kong::WrapUvLoop(uv);  // the service keeps calling uv_run itself
  if (!loop.ok()) return example::Fail(kProgram, "wrap the loop", loop.status());
  kong::ControlPlaneOptions options;
  options.conf = *conf;
  options.log_sink = example::StderrLog("cp");
  auto cp = kong::ControlPlane::Create(**loop, std::move(options));
  if (!cp.ok()) return example::Fail(kProgram, "create", cp.status());
  // Opens <prefix>/kong.db (bootstrapping a new one) and binds the listeners; blocks briefly.
  kong::Status started = (*cp)->Start();
  if (!started.ok()) return example::Fail(kProgram, "start", started);
  std::printf("control plane %s: Admin API on 127.0.0.1:%u, cluster listener on 127.0.0.1:%u\n",
              (*cp)->node_id().c_str(), (*cp)->admin_ports().at(0), (*cp)->cluster_ports().at(0));

  Service service;
  service.cp = cp->get();
  service.started_ms = uv_now(uv);
  uv_timer_init(uv, &service.tick);
  service.tick.data = &service;
  uv_timer_start(&service.tick, OnTick, 50, 50);

  uv_tcp_init(uv, &service.admin);
  service.admin.data = service.connect.data = &service;

  uv_run(uv, UV_RUN_DEFAULT);  // until the control plane and the service's handles closed
  cp->reset();                 // stopped: destroying it frees everything at once
  loop->reset();               // before uv_loop_close, after the library's objects
  int open_handles = uv_loop_close(uv);
  if (!service.error.empty()) return example::Fail(kProgram, service.error);
  if (open_handles != 0) return example::Fail(kProgram, "uv_loop_close: handles left open");
  std::printf("stopped cleanly\n");
  return 0;
}
