// PluginContext: authentication headers, exits and suspension for one request.
#include "plugins/plugin.h"

#include "plugins/consumers.h"

namespace kong::plugins {

PluginContext::PluginContext(http::Request& request, const ConsumerIndex& consumers,
                             WorkerState& worker, SharedState& shared)
    : request(request), consumers(consumers), worker(worker), shared(shared) {}

PluginContext::~PluginContext() = default;

// Kong's auth plugins' set_consumer(): every header is set or cleared, so a client cannot
// smuggle its own X-Consumer-* values to the upstream.
void PluginContext::Authenticate(const Consumer* consumer, const Credential* credential,
                                 bool anonymous) {
  consumer_ = consumer;
  credential_ = credential;
  anonymous_ = anonymous;
  http::HeaderMap& h = request.headers;
  auto set_or_clear = [&h](const char* name, const std::optional<std::string>& value) {
    if (value) {
      h.Set(name, *value);
    } else {
      h.Remove(name);
    }
  };
  set_or_clear("X-Consumer-ID", consumer ? std::optional<std::string>(consumer->id) : std::nullopt);
  set_or_clear("X-Consumer-Custom-ID", consumer ? consumer->custom_id : std::nullopt);
  set_or_clear("X-Consumer-Username", consumer ? consumer->username : std::nullopt);
  set_or_clear("X-Credential-Identifier",
               credential ? std::optional<std::string>(credential->identifier) : std::nullopt);
  if (credential != nullptr || !anonymous) {
    h.Remove("X-Anonymous-Consumer");
  } else {
    h.Set("X-Anonymous-Consumer", "true");
  }
}

void PluginContext::Exit(int status, std::string message, http::HeaderMap headers) {
  exit_ = ExitResponse{status, std::move(message), std::move(headers), /*kong_error=*/true};
}

void PluginContext::ExitRaw(int status, std::string body, http::HeaderMap headers) {
  exit_ = ExitResponse{status, std::move(body), std::move(headers), /*kong_error=*/false};
}

std::function<void()> PluginContext::Suspend() {
  if (!suspend_hook) return [] {};
  return suspend_hook();
}

}  // namespace kong::plugins
