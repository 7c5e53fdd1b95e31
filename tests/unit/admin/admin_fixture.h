// An AdminApi on 127.0.0.1:0 over a fresh store of one backend (the store tests'
// ForEachBackend), with a kept-alive HTTP client and JSON helpers for the admin tests.
#ifndef KONG_TESTS_UNIT_ADMIN_ADMIN_FIXTURE_H_
#define KONG_TESTS_UNIT_ADMIN_ADMIN_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "admin/admin_api.h"
#include "http/client.h"
#include "json/value.h"
#include "schema/catalog.h"
#include "schema/plugin_registry.h"
#include "store/async_store.h"
#include "support/json_test_support.h"
#include "unit/store/store_fixture.h"

namespace kong::admin::test {

// "test-plugin" (config {"level": integer, default 1}) is registered, as in the dao tests.
class AdminFixture {
 public:
  // Listens on 127.0.0.1:0, then on each of `more_listen` ("127.0.0.1:0 ssl"). With
  // `bundled_plugins`, Kong's bundled plugins (and their credential entities) are registered too.
  explicit AdminFixture(store::test::TestDatabase& db, std::vector<std::string> more_listen = {},
                        bool bundled_plugins = false);
  // Closes the client, the AdminApi and the store, and CHECKs that every handle closed.
  ~AdminFixture();

  // One request on the kept-alive connection (reconnecting when the server closed it);
  // REQUIREs a response. A non-empty body without content_type is sent as JSON.
  http::ClientResponse Call(const std::string& method, const std::string& target,
                            const std::string& body = "", const std::string& content_type = "");
  // Several requests written back to back on the kept-alive connection (pipelined).
  std::vector<http::ClientResponse> CallAll(std::vector<http::ClientRequest> requests);
  // One request on its own connection (for answers that close it: 413, 400 header flood).
  http::ClientResponse CallOnce(http::ClientRequest request);

  // The store's committed config_version.
  int64_t Version();

  EventLoop& loop() { return *loop_; }
  store::AsyncStore& store() { return *store_; }
  // Lines the AdminApi logged (AdminOptions::log).
  const std::vector<std::string>& logs() const { return logs_; }
  AdminApi& admin() { return *admin_; }
  uint16_t port() const { return port_; }
  // TCP connections the kept-alive client has opened so far.
  int connections_opened() const { return connections_opened_; }

 private:
  void Connect();

  std::unique_ptr<EventLoop> loop_;
  schema::PluginSchemaRegistry plugins_;
  std::unique_ptr<schema::Catalog> catalog_;
  std::unique_ptr<store::AsyncStore> store_;
  std::unique_ptr<AdminApi> admin_;
  uint16_t port_ = 0;
  std::unique_ptr<http::HttpClient> client_;
  int connections_opened_ = 0;
  std::vector<std::string> logs_;
};

using kong::test::J;
using kong::test::S;
using kong::test::Str;
// The length of the "data" array of a list body (-1 when there is none).
int DataSize(const json::Value& list);

}  // namespace kong::admin::test

#endif  // KONG_TESTS_UNIT_ADMIN_ADMIN_FIXTURE_H_
