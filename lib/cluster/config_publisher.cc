// ConfigPublisher: coalesces config changes into at most one export per window, built on the
// store thread, and publishes each version's gzipped reconfigure payload once.
#include "cluster/config_publisher.h"

#include <chrono>
#include <map>
#include <utility>
#include <vector>

#include "base/macros.h"
#include "cluster/compatibility.h"
#include "cluster/messages.h"
#include "dao/dao.h"
#include "net/timer.h"

namespace kong::cluster {

namespace {

using SteadyClock = std::chrono::steady_clock;
using SnapshotPtr = std::shared_ptr<const ConfigSnapshot>;

double NowSeconds() {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  // Millisecond resolution, like ngx.now() in Kong's push.
  return static_cast<double>(
             std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count()) /
         1000.0;
}

// Runs on the store thread: reads the version first so the snapshot's content is at least as
// new as its label (a later export then carries a higher version and replaces it).
Result<std::shared_ptr<ConfigSnapshot>> BuildSnapshot(store::Store& store,
                                                      const schema::Catalog& catalog,
                                                      bool keep_config_table) {
  auto snapshot = std::make_shared<ConfigSnapshot>();
  KONG_ASSIGN_OR_RETURN(snapshot->config_version, store.ConfigVersion());
  dao::Dao dao(store, catalog);
  auto exported = dao.Export();
  if (!exported.ok()) {
    return Status::Internal("export of config version " +
                            std::to_string(snapshot->config_version) +
                            " failed: " + exported.error().detail);
  }
  snapshot->timestamp = NowSeconds();
  KONG_ASSIGN_OR_RETURN(snapshot->payload,
                        EncodeReconfigure(snapshot->timestamp, exported.value(), &snapshot->hashes));
  snapshot->config_hash = snapshot->hashes.config;
  snapshot->configured_plugins = ConfiguredPluginNames(exported.value());
  if (keep_config_table) {
    snapshot->config_table = std::make_shared<const json::Value>(std::move(exported).value());
  }
  return snapshot;
}

}  // namespace

struct ConfigPublisher::State {
  State(EventLoop& l, store::AsyncStore& s, const schema::Catalog& c, ConfigPublisherOptions o)
      : loop(l), store(s), catalog(c), options(std::move(o)), timer(std::make_unique<net::Timer>(l)) {}

  EventLoop& loop;
  store::AsyncStore& store;
  const schema::Catalog& catalog;
  ConfigPublisherOptions options;
  std::unique_ptr<net::Timer> timer;  // reset at Close: a late job answer never touches the loop

  int change_listener = 0;  // 0: not subscribed
  std::map<int, SnapshotListener> listeners;
  int next_listener_id = 1;
  SnapshotPtr current;

  bool started = false;
  bool closed = false;
  bool dirty = false;         // a change not yet covered by a started export
  int64_t newest_change = 0;  // the highest version a change event announced
  bool in_flight = false;     // never more than one export at a time
  bool timer_armed = false;
  bool exported_once = false;
  SteadyClock::time_point last_export_start;
  int exports_started = 0;
  Status last_error;

  void Log(const std::string& line) const {
    if (options.log) options.log(LogLevel::kError, line);
  }

  // A committed version, ours or another node's, possibly announced twice or late: only one
  // newer than what is published (or being exported) needs an export.
  void OnCommitted(const std::shared_ptr<State>& self, int64_t version) {
    if (closed) return;
    if (current && version <= current->config_version) return;
    if (version > newest_change) newest_change = version;
    dirty = true;
    Schedule(self);
  }

  // Starts an export now if the window since the last one has passed, else arms the timer for
  // the rest of it. Changes arriving meanwhile only set `dirty`.
  void Schedule(const std::shared_ptr<State>& self) {
    if (closed || in_flight || timer_armed || !dirty) return;
    auto window = std::chrono::milliseconds(options.coalesce_ms);
    auto elapsed = SteadyClock::now() - last_export_start;
    if (!exported_once || elapsed >= window) {
      StartExport(self);
      return;
    }
    auto rest = std::chrono::ceil<std::chrono::milliseconds>(window - elapsed).count();
    timer_armed = true;
    std::weak_ptr<State> weak = self;
    timer->Start(static_cast<uint64_t>(rest), [weak] {
      auto state = weak.lock();
      if (!state) return;
      state->timer_armed = false;
      state->Schedule(state);
    });
  }

  void StartExport(const std::shared_ptr<State>& self) {
    dirty = false;
    in_flight = true;
    exported_once = true;
    last_export_start = SteadyClock::now();
    ++exports_started;
    const schema::Catalog* c = &catalog;
    const bool keep = options.keep_config_table;
    store.Submit([c, keep](store::Store& s) { return BuildSnapshot(s, *c, keep); },
                 [self](Result<std::shared_ptr<ConfigSnapshot>> r) {
                   self->OnExported(self, std::move(r));
                 });
  }

  void OnExported(const std::shared_ptr<State>& self, Result<std::shared_ptr<ConfigSnapshot>> r) {
    in_flight = false;
    if (closed) return;
    if (!r.ok()) {
      last_error = r.status();
      Log("unable to build the configuration for data planes: " + r.status().message());
    } else {
      // Changes that arrived during the export but that it already covers need no other one.
      if (r.value()->config_version >= newest_change) dirty = false;
      Publish(std::move(r).value());
    }
    Schedule(self);
  }

  void Publish(std::shared_ptr<ConfigSnapshot> snapshot) {
    if (snapshot->payload.size() > options.max_payload) {
      last_error = Status::InvalidArgument(
          "reconfigure payload of config version " + std::to_string(snapshot->config_version) +
          " is " + std::to_string(snapshot->payload.size()) +
          " bytes, over cluster_max_payload " + std::to_string(options.max_payload) +
          "; data planes keep the previous configuration");
      Log(last_error.message());
      return;
    }
    last_error = Status::Ok();
    // Versions never go backwards, and a version already published is not sent twice.
    if (current && snapshot->config_version <= current->config_version) return;
    current = std::move(snapshot);
    SnapshotPtr published = current;
    std::vector<int> ids;
    for (const auto& entry : listeners) ids.push_back(entry.first);
    for (int id : ids) {
      // A listener may unsubscribe others, or Close the publisher.
      if (closed) return;
      auto it = listeners.find(id);
      if (it == listeners.end()) continue;
      SnapshotListener listener = it->second;
      listener(published);
    }
  }
};

ConfigPublisher::ConfigPublisher(EventLoop& loop, store::AsyncStore& store,
                                 const schema::Catalog& catalog, ConfigPublisherOptions options)
    : state_(std::make_shared<State>(loop, store, catalog, std::move(options))) {}

ConfigPublisher::~ConfigPublisher() { Close(); }

void ConfigPublisher::Start() {
  State& s = *state_;
  if (s.started || s.closed) return;
  s.started = true;
  std::weak_ptr<State> weak = state_;
  s.change_listener = s.store.AddChangeListener([weak](int64_t version) {
    if (auto state = weak.lock()) state->OnCommitted(state, version);
  });
  s.dirty = true;
  s.Schedule(state_);
}

void ConfigPublisher::NotifyVersion(int64_t version) {
  if (state_->started) state_->OnCommitted(state_, version);
}

std::shared_ptr<const ConfigSnapshot> ConfigPublisher::current() const { return state_->current; }

int ConfigPublisher::Subscribe(SnapshotListener listener) {
  int id = state_->next_listener_id++;
  state_->listeners.emplace(id, std::move(listener));
  return id;
}

void ConfigPublisher::Unsubscribe(int id) { state_->listeners.erase(id); }

void ConfigPublisher::Close() {
  State& s = *state_;
  if (s.closed) return;
  s.closed = true;
  if (s.change_listener != 0) s.store.RemoveChangeListener(s.change_listener);
  s.change_listener = 0;
  s.listeners.clear();
  s.timer_armed = false;
  s.timer.reset();  // closes the handle; its callback never runs
}

int ConfigPublisher::exports_started() const { return state_->exports_started; }

Status ConfigPublisher::last_error() const { return state_->last_error; }

}  // namespace kong::cluster
