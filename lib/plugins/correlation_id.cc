// correlation-id (PRIORITY 100001): gives each request an id in a header, keeping the one the
// client sent, and optionally echoes it in the response (kong/plugins/correlation-id/handler.lua).
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "balancer/hash_key.h"
#include "plugins/config_fields.h"
#include "plugins/factory.h"
#include "plugins/state.h"

namespace kong::plugins {
namespace {

enum class Generator { kUuid, kUuidCounter, kTracker };

// Kong's per-worker generator state (init_worker): one UUID and a counter per worker, kept
// across configuration snapshots.
struct CorrelationIdWorker {
  explicit CorrelationIdWorker(EventLoop&)
      : uuid(balancer::RandomUuid()), thread_id(static_cast<long>(syscall(SYS_gettid))) {}
  std::string uuid;
  uint64_t counter = 0;
  uint64_t tracked = 0;  // requests given a tracker id
  long thread_id;
};

// Per-request value for echo_downstream (kong.ctx.plugin.correlation_id).
struct EchoedId final : PluginRequestState {
  explicit EchoedId(std::string v) : value(std::move(v)) {}
  std::string value;
};

class CorrelationId final : public Plugin {
 public:
  CorrelationId(PluginSpec spec, std::string header_name, Generator generator, bool echo)
      : Plugin(std::move(spec)),
        header_name_(std::move(header_name)),
        generator_(generator),
        echo_downstream_(echo) {}

  uint32_t phases() const override { return kAccessPhase | kHeaderFilterPhase; }

  Flow Access(PluginContext& ctx) const override {
    http::HeaderMap& headers = ctx.request.headers;
    std::optional<std::string_view> sent = headers.Get(header_name_);
    std::string id;
    if (sent && !sent->empty()) {
      id = *sent;
    } else {
      id = Generate(ctx);
      headers.Set(header_name_, id);
    }
    if (echo_downstream_) ctx.state() = std::make_unique<EchoedId>(std::move(id));
    return Flow::kContinue;
  }

  void HeaderFilter(PluginContext& ctx, ResponseHead& head) const override {
    if (!echo_downstream_ || head.headers == nullptr) return;
    std::string id;
    if (auto* echoed = static_cast<EchoedId*>(ctx.state().get())) {
      id = echoed->value;
    } else if (auto sent = ctx.request.headers.Get(header_name_); sent && !sent->empty()) {
      id = *sent;  // access did not run (an earlier rejection, an unrouted request)
    } else {
      id = Generate(ctx);
    }
    head.headers->Set(header_name_, std::move(id));
  }

 private:
  std::string Generate(PluginContext& ctx) const {
    switch (generator_) {
      case Generator::kUuid:
        return balancer::RandomUuid();
      case Generator::kUuidCounter: {
        CorrelationIdWorker& w = ctx.worker.Get<CorrelationIdWorker>();
        return w.uuid + "#" + std::to_string(++w.counter);
      }
      case Generator::kTracker:
        return Tracker(ctx.worker.Get<CorrelationIdWorker>());
    }
    return {};
  }

  // Kong: "<server_addr>-<server_port>-<worker pid>-<connection>-<connection_requests>-<now>"
  // from nginx variables. The context has no server address, workers are threads and a request
  // does not know its connection's serial, so: "0.0.0.0-0-<worker thread id>-<per-worker
  // request serial>-1-<seconds.millis>" (docs/differences-from-kong.md).
  static std::string Tracker(CorrelationIdWorker& w) {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    char buf[96];
    const int n = std::snprintf(buf, sizeof buf, "0.0.0.0-0-%ld-%llu-1-%lld.%03lld",
                                w.thread_id, static_cast<unsigned long long>(++w.tracked),
                                static_cast<long long>(now.count() / 1000),
                                static_cast<long long>(now.count() % 1000));
    return std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
  }

  std::string header_name_;
  Generator generator_;
  bool echo_downstream_;
};

Result<std::unique_ptr<Plugin>> CreateCorrelationId(PluginSpec spec, const PluginEnv&) {
  const json::Value* conf = spec.config;
  const std::string name = config::String(conf, "generator").value_or("uuid#counter");
  Generator generator;
  if (name == "uuid") {
    generator = Generator::kUuid;
  } else if (name == "uuid#counter") {
    generator = Generator::kUuidCounter;
  } else if (name == "tracker") {
    generator = Generator::kTracker;
  } else {
    return Status::InvalidArgument("correlation-id: unknown generator '" + name + "'");
  }
  std::string header = config::String(conf, "header_name").value_or("Kong-Request-ID");
  const bool echo = config::Bool(conf, "echo_downstream", false);
  return std::unique_ptr<Plugin>(
      new CorrelationId(std::move(spec), std::move(header), generator, echo));
}

}  // namespace

PluginDescriptor CorrelationIdDescriptor() {
  return PluginDescriptor{"correlation-id", 100001, CreateCorrelationId};
}

}  // namespace kong::plugins
