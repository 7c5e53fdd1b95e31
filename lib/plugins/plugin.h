// Plugin: one configured plugin (a row of `plugins`) compiled once per configuration snapshot,
// and PluginContext: what the plugins of one proxied request see and change. The gateway runs
// the phases (kong-entities.md §6): rewrite (global plugins only, before routing) -> access ->
// header_filter -> body_filter -> log, each chain in descending PRIORITY.
#ifndef KONG_PLUGINS_PLUGIN_H_
#define KONG_PLUGINS_PLUGIN_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/header_edits.h"
#include "http/header_map.h"
#include "http/message.h"
#include "json/value.h"
#include "kong/event_loop.h"
#include "kong/status.h"
#include "router/router.h"

namespace kong::plugins {

struct Consumer;
struct Credential;
class ConsumerIndex;
class SharedState;
class WorkerState;

// What a phase asks the runner to do next.
enum class Flow {
  kContinue,  // run the next plugin
  kExit,      // PluginContext::Exit() was called: stop the chain, answer the client
  kWait,      // the plugin called PluginContext::Suspend() and resumes the chain later
};

// Phases a plugin implements (bit set), so the runner skips the others without a call.
enum PhaseBits : uint32_t {
  kRewritePhase = 1u << 0,
  kAccessPhase = 1u << 1,
  kHeaderFilterPhase = 1u << 2,
  kBodyFilterPhase = 1u << 3,
  kLogPhase = 1u << 4,
  kResponseHeadersPhase = 1u << 5,
};

// The response a plugin sees in header_filter: the upstream's (already carrying Kong's own
// response headers) or one Kong produced (an Exit, a 404, a 502...).
struct ResponseHead {
  int status = 0;
  http::HeaderMap* headers = nullptr;
  bool from_upstream = false;
};

// What the log phase sees once the response ended.
struct LogRecord {
  int status = 0;
  int64_t request_time_ms = 0;
  int64_t upstream_latency_ms = -1;  // -1: no upstream was reached
  int64_t proxy_latency_ms = -1;     // Kong's latency before the upstream
  uint64_t request_bytes = 0;        // ingress (head + body)
  uint64_t response_bytes = 0;       // egress (head + body)
  std::string_view upstream_address; // "" when none
};

// A request-scoped value a plugin keeps between its phases (kong.ctx.plugin).
class PluginRequestState {
 public:
  virtual ~PluginRequestState() = default;
};

// One request's plugin state. Created by the gateway per request (only when the snapshot has
// plugins), used on that request's worker loop only.
class PluginContext {
 public:
  PluginContext(http::Request& request, const ConsumerIndex& consumers, WorkerState& worker,
                SharedState& shared);
  ~PluginContext();
  PluginContext(const PluginContext&) = delete;
  PluginContext& operator=(const PluginContext&) = delete;

  // --- The client request. Header changes are what the upstream receives (the gateway builds
  // the upstream head from these headers after the access phase, then adds X-Forwarded-*). ---
  http::Request& request;
  std::string_view client_ip;   // the real client address (trusted_ips / real_ip_header)
  std::string_view scheme;      // "http" or "https" (the listener's)
  const router::RouteMatch* match = nullptr;  // null in rewrite and for unrouted requests
  std::string_view route_id;    // "" before routing
  std::string_view service_id;  // "" before routing or without a service
  std::string_view request_id;  // X-Kong-Request-Id's value
  const ConsumerIndex& consumers;
  WorkerState& worker;          // this worker's loop and objects (Redis connections)
  SharedState& shared;          // state kept across snapshots (rate-limit counters, metrics)

  // --- Changes to the upstream request (request-transformer). nullopt: as built by Kong. ---
  std::optional<std::string> upstream_path;    // replaces the upstream path (already encoded)
  std::optional<std::string> upstream_query;   // replaces the raw query string ("" drops it)
  std::optional<std::string> upstream_method;
  // Set only after ReadBody() delivered the body: sent instead, with its Content-Length.
  std::optional<std::string> upstream_body;

  // --- Authentication (kong.client.authenticate). Sets X-Consumer-ID, X-Consumer-Username,
  // X-Consumer-Custom-ID, X-Credential-Identifier and X-Anonymous-Consumer on the upstream
  // request as Kong's auth plugins do, removing stale values first. `consumer` may be null
  // only with a credential; `anonymous` for the anonymous fallback. ---
  void Authenticate(const Consumer* consumer, const Credential* credential, bool anonymous);
  const Consumer* consumer() const { return consumer_; }
  const Credential* credential() const { return credential_; }
  bool anonymous() const { return anonymous_; }
  // Groups an auth plugin authenticated without a consumer (kong.client.authenticated_groups).
  std::vector<std::string> authenticated_groups;

  // --- Ending the request. Exit answers with Kong's negotiated error template (with
  // request_id; kong.response.error); ExitRaw with a literal body (CORS preflight: 200, "").
  // `headers` are added to the answer. Then return Flow::kExit. ---
  void Exit(int status, std::string message, http::HeaderMap headers = {});
  void ExitRaw(int status, std::string body, http::HeaderMap headers = {});
  struct ExitResponse {
    int status = 0;
    std::string body;
    http::HeaderMap headers;
    bool kong_error = true;  // body is the message for the error template
  };
  const std::optional<ExitResponse>& exit() const { return exit_; }

  // --- Waiting (Redis). Suspend() returns a function that resumes the chain at the next
  // plugin (or answers the Exit set meanwhile); calling it after the request ended does
  // nothing. Call it at most once, on this worker's loop. Then return Flow::kWait. ---
  std::function<void()> Suspend();
  // Set by the gateway: how Suspend() gets its resume function.
  std::function<std::function<void()>()> suspend_hook;

  // --- The request body (request-transformer, request-size-limiting). ReadBody buffers the
  // whole client body (at most `limit` bytes; more: kOutOfRange) and calls `done` on the loop;
  // the plugin returns Flow::kWait after calling it and resumes from `done`. Set by the
  // gateway. ---
  std::function<void(uint64_t limit, std::function<void(Result<std::string>)> done)> read_body;
  // The gateway answers `status` (413) and stops once more than this many body bytes
  // streamed; nullopt: no limit (request-size-limiting without Content-Length).
  std::optional<uint64_t> request_body_limit;

  // One slot per plugin of the chain, indexed by the plugin's position (the runner sets
  // `current_slot`). Plugins keep their per-request state in `state()`. The first slots are
  // inline (chains are short); the others are allocated on the first state() call for them.
  std::unique_ptr<PluginRequestState>& state() {
    if (current_slot < kInlineStates) return inline_states_[current_slot];
    const size_t i = current_slot - kInlineStates;
    if (i >= more_states_.size()) {
      more_states_.resize(std::max(state_count_ - std::min(state_count_, kInlineStates), i + 1));
    }
    return more_states_[i];
  }
  // The current plugin's state, or null, without allocating the slots.
  const PluginRequestState* peek_state() const {
    if (current_slot < kInlineStates) return inline_states_[current_slot].get();
    const size_t i = current_slot - kInlineStates;
    return i < more_states_.size() ? more_states_[i].get() : nullptr;
  }
  size_t current_slot = 0;
  void ResizeStates(size_t n) { state_count_ = n; }

 private:
  const Consumer* consumer_ = nullptr;
  const Credential* credential_ = nullptr;
  bool anonymous_ = false;
  std::optional<ExitResponse> exit_;
  static constexpr size_t kInlineStates = 8;
  std::array<std::unique_ptr<PluginRequestState>, kInlineStates> inline_states_;
  std::vector<std::unique_ptr<PluginRequestState>> more_states_;  // slots kInlineStates..
  size_t state_count_ = 0;  // ResizeStates' n
};

// The parsed `plugins` row a Plugin is compiled from.
struct PluginSpec {
  std::string id;
  std::string name;
  std::string instance_name;             // "" when null
  std::optional<std::string> route_id;   // scope
  std::optional<std::string> service_id;
  std::optional<std::string> consumer_id;
  std::vector<std::string> protocols;    // the plugin runs only for these request protocols
  bool enabled = true;
  // The `config` record with schema defaults filled in; valid only during PluginFactory.
  const json::Value* config = nullptr;
};

// A compiled plugin. Immutable after Create and shared by every worker thread: per-request
// state goes in PluginContext::state(), shared mutable state in SharedState (thread-safe).
class Plugin {
 public:
  virtual ~Plugin() = default;
  virtual uint32_t phases() const = 0;  // PhaseBits
  virtual Flow Rewrite(PluginContext&) const { return Flow::kContinue; }
  virtual Flow Access(PluginContext&) const { return Flow::kContinue; }
  // Response fields a plugin sets or adds without reading the response's (kong.response.
  // set_header / add_header: the rate-limit headers decided in access, CORS): on every answer,
  // proxied or produced. Runs in chain order before header_filter. The edits are applied on
  // the head's encoding, so a proxied response without header_filter plugins goes out
  // without first being copied into a map.
  virtual void ResponseHeaders(PluginContext&, http::HeaderEdits& edits) const { (void)edits; }
  virtual void HeaderFilter(PluginContext&, ResponseHead&) const {}
  // Called for each chunk of the response body and once more with eof; may rewrite `chunk`
  // (buffer it in state() and emit at eof). A plugin that changes the body length removes
  // Content-Length in HeaderFilter.
  virtual void BodyFilter(PluginContext&, std::string& chunk, bool eof) const {
    (void)chunk;
    (void)eof;
  }
  virtual void Log(PluginContext&, const LogRecord&) const {}

  const PluginSpec& spec() const { return spec_; }

 protected:
  explicit Plugin(PluginSpec spec) : spec_(std::move(spec)) {}

 private:
  PluginSpec spec_;
};

}  // namespace kong::plugins

#endif  // KONG_PLUGINS_PLUGIN_H_
