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
  // One pass removes the five, then the set ones are appended in this order: what a Set or
  // Remove per header gives, without rescanning the headers five times.
  static constexpr std::string_view kNames[] = {"X-Consumer-ID", "X-Consumer-Custom-ID",
                                                "X-Consumer-Username", "X-Credential-Identifier",
                                                "X-Anonymous-Consumer"};
  static constexpr http::NameLengths kLengths = [] {
    http::NameLengths lengths;
    for (std::string_view name : kNames) lengths.Add(name.size());
    return lengths;
  }();
  http::HeaderMap& h = request.headers;
  h.RemoveIf([](const http::HeaderMap::Field& f) {
    if (!kLengths.MayHave(f.first.size())) return false;  // most fields end here
    for (std::string_view name : kNames) {
      if (http::EqualsIgnoreCase(f.first, name)) return true;
    }
    return false;
  });
  auto add = [&h](std::string_view name, const std::string* value) {
    if (value != nullptr) h.AddCopy(name, *value);
  };
  auto optional_field = [](const std::optional<std::string>& v) { return v ? &*v : nullptr; };
  add(kNames[0], consumer ? &consumer->id : nullptr);
  add(kNames[1], consumer ? optional_field(consumer->custom_id) : nullptr);
  add(kNames[2], consumer ? optional_field(consumer->username) : nullptr);
  add(kNames[3], credential ? &credential->identifier : nullptr);
  if (credential == nullptr && anonymous) h.AddCopy(kNames[4], "true");
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
