// Fetch: ConnectAttempt followed by one HttpClient request.
#include "http/fetch.h"

namespace kong::http {

std::unique_ptr<Fetch> Fetch::Start(EventLoop& loop, std::string host, uint16_t port,
                                    ClientRequest request, FetchOptions options,
                                    HttpClient::Callback done) {
  std::unique_ptr<Fetch> f(new Fetch());
  f->request_ = std::move(request);
  f->client_options_ = std::move(options.client);
  if (f->client_options_.host.empty()) {
    bool ipv6 = host.find(':') != std::string::npos && host.front() != '[';
    f->client_options_.host = (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  }
  f->done_ = std::move(done);
  Fetch* self = f.get();
  f->connecting_ =
      net::ConnectAttempt::Start(loop, std::move(host), port, options.connect,
                                 [self](Result<std::unique_ptr<net::Transport>> connected) {
                                   self->OnConnected(std::move(connected));
                                 });
  return f;
}

Fetch::~Fetch() { *alive_ = false; }

void Fetch::OnConnected(Result<std::unique_ptr<net::Transport>> connected) {
  if (!connected.ok()) {
    auto done = std::move(done_);
    done(connected.status());  // may destroy *this
    return;
  }
  client_ = std::make_unique<HttpClient>(std::move(connected).value(), client_options_);
  client_->Send(std::move(request_), [this](Result<ClientResponse> response) {
    auto alive = alive_;
    auto done = std::move(done_);
    done(std::move(response));  // may destroy *this
    if (*alive) client_->Close();
  });
}

}  // namespace kong::http
