// AuthFixture: consumers with key-auth/basic-auth credentials and ACL groups, and AuthCall, one
// request whose PluginContext several auth plugins run on in turn (multi-auth), with the
// gateway's suspend/read_body hooks replaced by test doubles.
#ifndef KONG_TESTS_UNIT_PLUGINS_AUTH_FIXTURE_H_
#define KONG_TESTS_UNIT_PLUGINS_AUTH_FIXTURE_H_

#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "json/value.h"
#include "kong/event_loop.h"
#include "pki/digest.h"
#include "plugins/consumers.h"
#include "plugins/factory.h"
#include "plugins/plugin.h"
#include "plugins/state.h"

namespace kong::plugins::testing {

inline constexpr std::string_view kAliceId = "6f0b2f3a-1c1e-4a43-9d2f-0a0000000001";
inline constexpr std::string_view kBobId = "6f0b2f3a-1c1e-4a43-9d2f-0a0000000002";
inline constexpr std::string_view kAnonId = "6f0b2f3a-1c1e-4a43-9d2f-0a0000000003";
inline constexpr std::string_view kAliceKeyId = "0d4c1d9e-7a1b-4f7e-8e55-0b0000000001";

// What the control plane stores for a basic-auth password: hex(SHA-1(password .. consumer_id)).
inline std::string PasswordHash(std::string_view password, std::string_view consumer_id) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : pki::Sha1(std::string(password) + std::string(consumer_id))) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

// Standard base64 with '=' padding, and the Authorization value basic-auth reads.
inline std::string Base64(std::string_view text) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : text) {
    bits = bits << 8 | c;
    count += 8;
    while (count >= 6) out.push_back(kAlphabet[(bits >> (count -= 6)) & 63]);
  }
  if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 63]);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}
inline std::string Basic(std::string_view user_pass) { return "Basic " + Base64(user_pass); }

// alice (key "alice-key", basic alice:s3cret, groups admins+users), bob (key "bob-key", group
// users), a consumer named "anonymous" without credentials or groups.
inline std::string AuthFlatConfig() {
  std::string alice(kAliceId), bob(kBobId), anon(kAnonId);
  return R"({
    "consumers": [
      {"id": ")" + alice + R"(", "username": "alice", "custom_id": "A-1"},
      {"id": ")" + bob + R"(", "username": "bob"},
      {"id": ")" + anon + R"(", "username": "anonymous"}],
    "keyauth_credentials": [
      {"id": ")" + std::string(kAliceKeyId) + R"(", "key": "alice-key", "consumer": {"id": ")" +
         alice + R"("}},
      {"id": "0d4c1d9e-7a1b-4f7e-8e55-0b0000000002", "key": "bob-key", "consumer": {"id": ")" +
         bob + R"("}}],
    "basicauth_credentials": [
      {"id": "1d4c1d9e-7a1b-4f7e-8e55-0c0000000001", "username": "alice-basic",
       "password": ")" + PasswordHash("s3cret", alice) + R"(", "consumer": {"id": ")" + alice + R"("}},
      {"id": "1d4c1d9e-7a1b-4f7e-8e55-0c0000000002", "username": "bob-basic",
       "password": ")" + PasswordHash("pa:ss word", bob) + R"(", "consumer": {"id": ")" + bob + R"("}}],
    "acls": [
      {"id": "2d4c1d9e-7a1b-4f7e-8e55-0d0000000001", "group": "admins", "consumer": {"id": ")" +
         alice + R"("}},
      {"id": "2d4c1d9e-7a1b-4f7e-8e55-0d0000000002", "group": "users", "consumer": {"id": ")" +
         alice + R"("}},
      {"id": "2d4c1d9e-7a1b-4f7e-8e55-0d0000000003", "group": "users", "consumer": {"id": ")" +
         bob + R"("}}]
  })";
}

class AuthFixture {
 public:
  AuthFixture() {
    auto loop = EventLoop::Create();
    REQUIRE(loop.ok());
    loop_ = std::move(*loop);
    worker_ = std::make_unique<WorkerState>(*loop_);
    auto flat = json::Parse(AuthFlatConfig());
    REQUIRE_MESSAGE(flat.ok(), flat.status().ToString());
    auto index = ConsumerIndex::Build(*flat);
    REQUIRE_MESSAGE(index.ok(), index.status().ToString());
    consumers_ = std::move(index).value();
  }

  std::unique_ptr<Plugin> Make(const PluginDescriptor& d, std::string_view config) {
    auto conf = json::Parse(config);
    REQUIRE_MESSAGE(conf.ok(), conf.status().ToString());
    PluginSpec spec;
    spec.id = "p-" + d.name;
    spec.name = d.name;
    spec.config = &*conf;
    PluginEnv env;
    env.shared = &shared_;
    auto plugin = d.create(std::move(spec), env);
    REQUIRE_MESSAGE(plugin.ok(), plugin.status().ToString());
    return std::move(plugin).value();
  }

  const ConsumerIndex& consumers() const { return *consumers_; }
  WorkerState& worker() { return *worker_; }
  SharedState& shared() { return shared_; }

 private:
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<WorkerState> worker_;
  SharedState shared_;
  std::shared_ptr<const ConsumerIndex> consumers_;
};

// One request, built in place (the context refers to it). `read_body` stays unset unless a
// test installs one; resumed() counts the resume calls the plugins made.
class AuthCall {
 public:
  AuthCall(AuthFixture& f, std::string method, std::string query = "") {
    request_.method = std::move(method);
    request_.raw_path = request_.path = "/";
    request_.query_string = std::move(query);
    request_.target = request_.query_string.empty() ? "/" : "/?" + request_.query_string;
    ctx_ = std::make_unique<PluginContext>(request_, f.consumers(), f.worker(), f.shared());
    ctx_->ResizeStates(4);
    int* resumed = &resumed_;
    ctx_->suspend_hook = [resumed] { return std::function<void()>([resumed] { ++*resumed; }); };
  }
  AuthCall(const AuthCall&) = delete;
  AuthCall& operator=(const AuthCall&) = delete;

  http::Request& request() { return request_; }
  http::HeaderMap& headers() { return request_.headers; }
  PluginContext& ctx() { return *ctx_; }
  int resumed() const { return resumed_; }

  Flow Run(const Plugin& plugin) { return plugin.Access(*ctx_); }

  // A request header as the upstream would receive it ("<none>" when absent).
  std::string Header(std::string_view name) const {
    auto v = request_.headers.Get(name);
    return v ? std::string(*v) : std::string("<none>");
  }
  // A header of the exit's answer.
  std::string ExitHeader(std::string_view name) const {
    if (!ctx_->exit()) return "<no exit>";
    auto v = ctx_->exit()->headers.Get(name);
    return v ? std::string(*v) : std::string("<none>");
  }
  int ExitStatus() const { return ctx_->exit() ? ctx_->exit()->status : 0; }
  std::string ExitMessage() const { return ctx_->exit() ? ctx_->exit()->body : "<no exit>"; }

 private:
  http::Request request_;
  std::unique_ptr<PluginContext> ctx_;
  int resumed_ = 0;
};

}  // namespace kong::plugins::testing

#endif  // KONG_TESTS_UNIT_PLUGINS_AUTH_FIXTURE_H_
