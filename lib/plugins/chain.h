// PluginSet: the `plugins` rows of one configuration compiled into per-route chains
// (kong-entities.md §6.1-6.2), and ChainRunner: one request's walk through them.
//
// A chain lists, in execution order (descending PRIORITY, equal priorities by name
// descending), one position per plugin name that may run for the route, with its candidate
// configurations. Configurations without a consumer are resolved when the set is built;
// consumer-scoped ones at request time against the consumer authenticated so far (Kong's lazy
// collection), through per-consumer tables keyed by the Consumer pointer.
#ifndef KONG_PLUGINS_CHAIN_H_
#define KONG_PLUGINS_CHAIN_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "json/value.h"
#include "kong/status.h"
#include "plugins/consumers.h"
#include "plugins/factory.h"
#include "plugins/plugin.h"

namespace kong::plugins {

// Request protocols a configuration runs for (its `protocols`).
enum ProtocolBits : uint8_t { kHttpProtocol = 1, kHttpsProtocol = 2 };

// A compiled configuration and what the runner checks without touching the Plugin.
struct ConfiguredPlugin {
  std::unique_ptr<Plugin> plugin;
  uint32_t phases = 0;
  uint8_t protocols = 0;  // ProtocolBits
  int rank = 8;           // §6.1: 1 (route+service+consumer) .. 8 (global)
  const Consumer* consumer = nullptr;
};

// Consumer-scoped configurations of one plugin name for one scope.
using ConsumerTable = std::unordered_map<const Consumer*, const ConfiguredPlugin*>;

// One position of a chain.
struct ChainStep {
  std::string_view name;
  size_t slot = 0;  // PluginContext::state() slot: the name's index in the set
  uint32_t phases = 0;  // union over the candidates
  const ConfiguredPlugin* fixed = nullptr;  // best configuration without a consumer, or null
  // Consumer tables, most specific first (ranks 1, 2, 3, 5); null entries are skipped.
  const ConsumerTable* by_consumer[4] = {nullptr, nullptr, nullptr, nullptr};
  bool consumer_scoped = false;

  // The configuration that applies for `consumer` (may be null), before the protocol check.
  const ConfiguredPlugin* Resolve(const Consumer* consumer) const;
};

struct Chain {
  std::vector<ChainStep> steps;
  uint32_t phases = 0;           // union over the steps
  bool consumer_scoped = false;  // some step has consumer-scoped candidates
  // When !consumer_scoped: the resolved configuration per step for http and https requests
  // (null: does not run), so the runner does no resolution at all.
  std::vector<const ConfiguredPlugin*> resolved[2];
};

class PluginSet {
 public:
  // Compiles the flat config's `plugins` (enabled ones) with `factories`; the routes array
  // gives each route's service (chains are indexed by the route's position in `routes`,
  // router::RouteInfo::config_index). Errors: kInvalidArgument naming a plugin without a
  // factory, or the plugin id whose factory failed.
  static Result<std::shared_ptr<const PluginSet>> Build(const json::Value& flat_config,
                                                        const PluginFactories& factories,
                                                        const PluginEnv& env,
                                                        const ConsumerIndex& consumers);
  static std::shared_ptr<const PluginSet> Empty();

  bool empty() const { return configured_.empty(); }
  size_t plugin_count() const { return configured_.size(); }
  // Number of distinct plugin names: PluginContext::ResizeStates' argument.
  size_t slot_count() const { return slot_count_; }

  // Global configurations only: rewrite, and the answers to unrouted requests.
  const Chain& global_chain() const { return global_; }
  // The chain of the route at `config_index` in the flat config's `routes`.
  const Chain& route_chain(size_t config_index) const {
    return config_index < route_chains_.size() && route_chains_[config_index] != nullptr
               ? *route_chains_[config_index]
               : default_routed_;
  }

 private:
  class Builder;
  std::vector<std::unique_ptr<ConfiguredPlugin>> configured_;
  std::vector<std::unique_ptr<ConsumerTable>> tables_;
  std::vector<std::unique_ptr<Chain>> chains_;
  std::vector<const Chain*> route_chains_;  // null: default_routed_
  Chain global_;          // rank 8 only
  Chain default_routed_;  // global + consumer-only: routes with nothing of their own
  size_t slot_count_ = 0;
};

// Parses one `plugins` row (without its config): kInvalidArgument naming the field.
Result<PluginSpec> ParsePluginSpec(const json::Value& row, std::string_view where);

// Runs the phases of one request over a chain. Lives as long as the request; the set must
// outlive it. Loop thread only.
class ChainRunner {
 public:
  ChainRunner(PluginContext& ctx, bool https) : ctx_(ctx), https_(https) {}

  // Rewrite: global configurations only, synchronous (kContinue or kExit).
  Flow Rewrite(const Chain& global);
  // Starts the access phase over `chain` (the route's) and runs it until it finishes
  // (kContinue), a plugin exits (kExit) or suspends (kWait: call Resume() once resumed).
  Flow Access(const Chain& chain);
  Flow Resume();
  // True while a plugin's Access call is on the stack: a resume then only marks the step
  // done and Access continues when the plugin returns kWait.
  bool in_call() const { return in_call_; }
  void MarkResumedEarly() { resumed_early_ = true; }
  // For requests that never reach access (no route): the later phases run every global
  // configuration.
  void UseForResponse(const Chain& chain);

  // A chain was set (Access or UseForResponse).
  bool started() const { return chain_ != nullptr; }
  bool has_response_headers() const { return (collected_phases_ & kResponseHeadersPhase) != 0; }
  bool has_header_filter() const { return (collected_phases_ & kHeaderFilterPhase) != 0; }
  bool has_body_filter() const { return (collected_phases_ & kBodyFilterPhase) != 0; }
  bool has_log() const { return (collected_phases_ & kLogPhase) != 0; }

  void ResponseHeaders(http::HeaderEdits& edits);
  void HeaderFilter(ResponseHead& head);
  void BodyFilter(std::string& chunk, bool eof);
  void Log(const LogRecord& record);

 private:
  void Begin(const Chain& chain);
  Flow RunAccess();
  const ConfiguredPlugin* Collect(size_t i);
  template <typename Fn>
  void ForEachCollected(uint32_t phase, Fn&& fn);

  PluginContext& ctx_;
  bool https_;
  const Chain* chain_ = nullptr;
  // The configurations collected in access, per step (only when the chain is consumer-scoped;
  // otherwise chain_->resolved is used, up to `reached_`).
  std::vector<const ConfiguredPlugin*> collected_;
  size_t next_ = 0;     // next access step
  size_t reached_ = 0;  // steps collected so far
  uint32_t collected_phases_ = 0;
  bool in_call_ = false;
  bool resumed_early_ = false;
};

}  // namespace kong::plugins

#endif  // KONG_PLUGINS_CHAIN_H_
