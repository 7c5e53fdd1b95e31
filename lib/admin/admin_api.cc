// AdminApi: one http::Server on every admin_listen address, dispatching through the Router to
// the entity endpoints and the endpoints other layers add; Kong's 404/405/OPTIONS answers.
#include "admin/admin_api.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "admin/entity_endpoints.h"
#include "admin/responses.h"
#include "admin/router.h"
#include "base/macros.h"
#include "kong/cert_gen.h"
#include "net/listener.h"
#include "tls/tls_context.h"
#include "tls/tls_transport.h"

namespace kong::admin {

// Endpoints added with AddEndpoint win over entity routes of the same method and pattern.
constexpr int kAddedEndpointPriority = 1;

class AdminApi::Impl {
 public:
  Impl(store::AsyncStore& store, const schema::Catalog& catalog, AdminOptions options)
      : options_(std::move(options)), context_{store, catalog, options_.log} {
    AddEntityEndpoints(router_, &context_);
    AddNestedEndpoints(router_, &context_);
  }

  void Handle(http::Request& request, http::ResponseWriter& writer) {
    Router::Match match = router_.Find(request.method, request.raw_path);
    if (match.handler) {
      (*match.handler)(request, writer, match.params);
      return;
    }
    if (match.allowed.empty()) return Reply(writer, MessageResponse(404, "Not found"));
    if (request.method == "OPTIONS") return Reply(writer, OptionsResponse(match.allowed));
    Reply(writer, MessageResponse(405, "Method not allowed"));
  }

  // Kong's answer to OPTIONS on a known path: 204 listing the methods (HEAD with GET).
  static http::Response OptionsResponse(const std::vector<std::string>& methods) {
    std::vector<std::string> all = methods;
    auto has = [&](const char* m) { return std::find(all.begin(), all.end(), m) != all.end(); };
    if (has("GET") && !has("HEAD")) all.push_back("HEAD");
    if (!has("OPTIONS")) all.push_back("OPTIONS");
    std::sort(all.begin(), all.end());
    std::string list;
    for (const std::string& m : all) list += (list.empty() ? "" : ", ") + m;
    http::Response r = NoContentResponse();
    r.headers.Set("Allow", list);
    r.headers.Set("Access-Control-Allow-Methods", list);
    r.headers.Set("Access-Control-Allow-Headers", "Content-Type");
    return r;
  }

  // The server context of `ssl` specs, built once from the options (or a fresh self-signed
  // certificate).
  Result<std::shared_ptr<const tls::TlsContext>> TlsServerContext() {
    if (tls_) return tls_;
    tls::TlsContextOptions o;
    o.role = tls::TlsRole::kServer;
    o.verify = tls::VerifyMode::kNone;
    o.alpn = {"http/1.1"};
    if (options_.ssl_cert_pem.empty() && options_.ssl_key_pem.empty()) {
      CertGenOptions gen;
      gen.common_name = "localhost";
      KONG_ASSIGN_OR_RETURN(CertPair pair, CertGen::Generate(gen));
      o.cert_chain_pem = std::move(pair.cert_pem);
      o.key_pem = std::move(pair.key_pem);
    } else {
      o.cert_chain_pem = options_.ssl_cert_pem;
      o.key_pem = options_.ssl_key_pem;
    }
    Result<std::shared_ptr<const tls::TlsContext>> made = tls::TlsContext::Create(std::move(o));
    if (!made.ok()) return Status::InvalidArgument("admin_ssl_cert: " + made.status().message());
    tls_ = *made;
    return tls_;
  }

  Status ListenTls(EventLoop& loop, const net::ListenSpec& spec) {
    KONG_ASSIGN_OR_RETURN(std::shared_ptr<const tls::TlsContext> context, TlsServerContext());
    // Listeners are members, destroyed before the server: no accept runs after ~Impl.
    Result<std::unique_ptr<net::Listener>> listener =
        net::Listener::Create(loop, spec, [this](std::unique_ptr<net::Transport> tcp) {
          Result<std::unique_ptr<tls::TlsTransport>> tls =
              tls::TlsTransport::Create(tls_, std::move(tcp));
          if (!tls.ok()) {
            if (options_.log)
              options_.log(LogLevel::kError, "admin api: " + tls.status().ToString());
            return;
          }
          server_->Serve(std::move(tls).value());
        });
    if (!listener.ok()) return listener.status();
    ports_.push_back((*listener)->bound_port());
    tls_listeners_.push_back(std::move(listener).value());
    return Status::Ok();
  }

  // The server and the TLS listeners close in parallel; the callbacks run after the last.
  // The shared state, not `this`, is captured: a close may finish after ~Impl.
  struct CloseState {
    size_t pending = 0;
    bool started = false;
    std::vector<std::function<void()>> callbacks;
    void OneClosed() {
      if (--pending > 0) return;
      std::vector<std::function<void()>> run = std::move(callbacks);
      callbacks.clear();
      for (auto& cb : run) cb();
    }
  };

  void Close(std::function<void()> on_closed) {
    if (on_closed) close_->callbacks.push_back(std::move(on_closed));
    if (close_->started) {
      if (close_->pending == 0) {
        ++close_->pending;
        close_->OneClosed();  // already closed: run the new callback now
      }
      return;
    }
    close_->started = true;
    close_->pending = 1 + tls_listeners_.size();
    std::shared_ptr<CloseState> state = close_;
    for (auto& listener : tls_listeners_) listener->Close([state] { state->OneClosed(); });
    server_->Close([state] { state->OneClosed(); });
  }

  AdminOptions options_;
  EndpointContext context_;
  Router router_;
  std::shared_ptr<const tls::TlsContext> tls_;
  std::unique_ptr<http::Server> server_;
  std::vector<std::unique_ptr<net::Listener>> tls_listeners_;
  std::vector<uint16_t> ports_;  // in listen order, plain and ssl
  std::shared_ptr<CloseState> close_ = std::make_shared<CloseState>();
};

AdminApi::AdminApi(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AdminApi::~AdminApi() = default;

Result<std::unique_ptr<AdminApi>> AdminApi::Start(EventLoop& loop, store::AsyncStore& store,
                                                  const schema::Catalog& catalog,
                                                  AdminOptions options) {
  auto impl = std::make_unique<Impl>(store, catalog, std::move(options));
  Impl* raw = impl.get();
  // The server lives inside Impl and is destroyed with it, so the handler never outlives raw.
  Result<std::unique_ptr<http::Server>> server = http::Server::Create(
      loop, raw->options_.server, [raw](http::Request& request, http::ResponseWriter& writer) {
        raw->Handle(request, writer);
      });
  if (!server.ok()) return server.status();
  raw->server_ = std::move(server).value();
  for (const net::ListenSpec& spec : raw->options_.listen) {
    if (spec.ssl) {
      KONG_RETURN_IF_ERROR(raw->ListenTls(loop, spec));
      continue;
    }
    Result<uint16_t> port = raw->server_->Listen(spec);
    if (!port.ok()) return port.status();
    raw->ports_.push_back(*port);
  }
  return std::unique_ptr<AdminApi>(new AdminApi(std::move(impl)));
}

std::vector<uint16_t> AdminApi::bound_ports() const { return impl_->ports_; }

void AdminApi::AddEndpoint(std::string method, std::string pattern, EndpointHandler handler) {
  impl_->router_.Add(std::move(method), pattern, std::move(handler), kAddedEndpointPriority);
}

void AdminApi::Close(std::function<void()> on_closed) { impl_->Close(std::move(on_closed)); }

std::vector<std::string> AdminApi::endpoints() const { return impl_->router_.Patterns(); }

}  // namespace kong::admin
