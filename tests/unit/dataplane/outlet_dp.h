// OutletClient test harness: a client started against a (fake) control plane, with what it
// logged, applied and reported about its link.
#ifndef KONG_TESTS_UNIT_DATAPLANE_OUTLET_DP_H_
#define KONG_TESTS_UNIT_DATAPLANE_OUTLET_DP_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cluster/messages.h"
#include "dataplane/outlet_client.h"
#include "support/test_support.h"
#include "tls/cluster_trust.h"

namespace kong::test {

// An OutletClient plus what it reported.
struct OutletDp {
  std::vector<std::string> logs;
  std::vector<std::string> applied;  // hashes passed to apply and accepted
  std::vector<bool> links;
  Status next_result;  // what apply answers
  std::unique_ptr<dataplane::OutletClient> client;

  bool Logged(const std::string& part) const {
    for (const auto& l : logs) {
      if (l.find(part) != std::string::npos) return true;
    }
    return false;
  }

  void Start(EventLoop& loop, tls::ClusterTlsSettings settings, const std::string& cp,
             size_t max_payload = 16 << 20,
             const std::function<void(dataplane::OutletClientOptions&)>& tweak = nullptr) {
    settings.control_plane = cp;
    auto trust = tls::ClusterTrust::Create(settings);
    REQUIRE_OK(trust.status());
    dataplane::OutletClientOptions o;
    o.control_plane = cp;
    o.trust = std::make_shared<const tls::ClusterTrust>(std::move(trust).value());
    o.node = {"0b7ca6a4-3e49-4c2e-8a94-0f5b0b5e0d11", "dp-host", "3.10.0"};
    o.basic_info.plugins = {{"key-auth", "3.10.0"}};
    o.max_payload = max_payload;
    o.backoff.min_delay = std::chrono::milliseconds(10);
    o.backoff.max_delay = std::chrono::milliseconds(40);
    o.backoff_seed = 7;
    o.log = [this](LogLevel, std::string_view line) { logs.emplace_back(line); };
    o.apply = [this](cluster::Reconfigure config) {
      if (next_result.ok()) applied.push_back(config.config_hash);
      return next_result;
    };
    o.on_link = [this](bool up) { links.push_back(up); };
    if (tweak) tweak(o);
    auto c = dataplane::OutletClient::Create(loop, std::move(o));
    REQUIRE_OK(c.status());
    client = std::move(c).value();
    client->Start();
  }
};

}  // namespace kong::test

#endif  // KONG_TESTS_UNIT_DATAPLANE_OUTLET_DP_H_
