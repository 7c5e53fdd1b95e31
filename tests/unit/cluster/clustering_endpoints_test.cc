// GET /clustering/status and /clustering/data-planes through a real AdminApi, with a data
// plane connected to a real OutletServer over loopback mTLS.
#include <doctest/doctest.h>

#include <string>

#include "cluster/clustering_endpoints.h"
#include "schema/catalog.h"
#include "support/json_test_support.h"
#include "unit/admin/admin_fixture.h"
#include "unit/cluster/outlet_test_support.h"

namespace kong::cluster {
namespace {

using admin::test::AdminFixture;
using admin::test::DataSize;
using kong::test::J;
using kong::test::Pki;
using kong::test::Str;
using kong::test::WaitUntil;
using store::test::ForEachBackend;
using store::test::TestDatabase;
using test::DpClientOptions;
using test::SharedSettings;
using test::TestCp;
using test::TestDp;

constexpr char kDpId[] = "6f0c2b1e-3d4a-4b5c-8d9e-0f1a2b3c4d5e";

TEST_SUITE("cluster_cp") {
  TEST_CASE("the clustering endpoints show a connected DP with the hash it reported") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture fx(db);
      RegisterClusteringEndpoints(fx.admin(), fx.store());
      schema::Catalog catalog(nullptr);
      std::string hash;
      {
        TestCp cp(fx.loop(), fx.store(), catalog, SharedSettings(Pki().shared));
        TestDp dp(fx.loop());
        dp.Connect(cp.port(), DpClientOptions(SharedSettings(Pki().shared)),
                   {kDpId, "dp-one", "3.9.1"});
        REQUIRE_MESSAGE(dp.upgraded(), cp.AllLogs());
        dp.OpenWebSocket();
        BasicInfo info;
        info.labels = J(R"({"env":"test"})");
        dp.SendBasicInfo(info);
        dp.WaitBinaries(1);
        hash = dp.Decoded(0).config_hash;
        dp.Ping(hash);
        REQUIRE(WaitUntil(fx.loop(), [&] { return dp.pongs() == 1; }));

        http::ClientResponse status = fx.Call("GET", "/clustering/status");
        CHECK(status.status == 200);
        CHECK(status.headers.Get("Deprecation").value_or("") == "true");
        json::Value body = J(status.body);
        const json::Value* entry = body.Find(kDpId);
        REQUIRE(entry != nullptr);
        CHECK(Str(*entry, "config_hash") == hash);
        CHECK(hash == cp.publisher().current()->config_hash);
        CHECK(Str(*entry, "hostname") == "dp-one");
        CHECK(Str(*entry, "ip") == "127.0.0.1");
        REQUIRE(entry->Find("last_seen") != nullptr);
        CHECK(entry->Find("last_seen")->is_int());
        CHECK(entry->Find("version") == nullptr);  // Kong's map has four fields only

        http::ClientResponse list = fx.Call("GET", "/clustering/data-planes");
        CHECK(list.status == 200);
        json::Value page = J(list.body);
        REQUIRE(DataSize(page) == 1);
        const json::Value& row = page.Find("data")->as_array()[0];
        CHECK(Str(row, "id") == kDpId);
        CHECK(Str(row, "config_hash") == hash);
        CHECK(Str(row, "version") == "3.9.1");
        CHECK(Str(row, "sync_status") == "normal");
        CHECK(kong::test::S(*row.Find("labels")) == R"({"env":"test"})");
        REQUIRE(row.Find("cert_details") != nullptr);
        CHECK(row.Find("cert_details")->Find("expiry_timestamp") != nullptr);
        REQUIRE(row.Find("ttl") != nullptr);
        CHECK(row.Find("ttl")->as_int() > 1209600 - 60);
        CHECK(row.Find("ttl")->as_int() <= 1209600);
        CHECK(page.Find("next")->is_null());
        cp.Close();
      }
      // The row outlives the link: every CP node sharing the database reports it.
      http::ClientResponse after = fx.Call("GET", "/clustering/status");
      CHECK(Str(*J(after.body).Find(kDpId), "config_hash") == hash);
    });
  }

  TEST_CASE("/clustering/data-planes pages with size and offset like entity lists") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture fx(db);
      RegisterClusteringEndpoints(fx.admin(), fx.store());
      // Three rows written straight to the registry, as other CP nodes would.
      std::optional<Status> written;
      fx.store().Submit(
          [](store::Store& s) -> Status {
            for (const char* id : {"00000000-0000-4000-8000-000000000001",
                                   "00000000-0000-4000-8000-000000000002",
                                   "00000000-0000-4000-8000-000000000003"}) {
              store::DataPlaneRecord r;
              r.id = id;
              r.hostname = "h";
              r.ip = "10.0.0.1";
              r.config_hash = std::string(kEmptyConfigHash);
              Status st = s.UpsertDataPlane(r);
              if (!st.ok()) return st;
            }
            return Status::Ok();
          },
          [&](Status s) { written = s; });
      REQUIRE(WaitUntil(fx.loop(), [&] { return written.has_value(); }));
      REQUIRE_OK(*written);

      json::Value first = J(fx.Call("GET", "/clustering/data-planes?size=2").body);
      CHECK(DataSize(first) == 2);
      REQUIRE(first.Find("offset") != nullptr);
      const std::string next = Str(first, "next");
      CHECK(next.rfind("/clustering/data-planes?offset=", 0) == 0);
      CHECK(next.find("&size=2") != std::string::npos);
      CHECK(first.Find("data")->as_array()[0].Find("ttl") == nullptr);  // no expiry: no ttl
      json::Value second = J(fx.Call("GET", next).body);
      CHECK(DataSize(second) == 1);
      CHECK(Str(second.Find("data")->as_array()[0], "id") ==
            "00000000-0000-4000-8000-000000000003");
      CHECK(second.Find("next")->is_null());

      http::ClientResponse zero = fx.Call("GET", "/clustering/data-planes?size=0");
      CHECK(zero.status == 400);
      CHECK(J(zero.body).Find("code")->as_int() == 9);
      http::ClientResponse nan = fx.Call("GET", "/clustering/data-planes?size=x");
      CHECK(nan.status == 400);
      CHECK(Str(J(nan.body), "message") == "size must be a number");
      http::ClientResponse bad = fx.Call("GET", "/clustering/data-planes?offset=%25%25");
      CHECK(bad.status == 400);
      CHECK(J(bad.body).Find("code")->as_int() == 7);
      CHECK(Str(J(bad.body), "message") == "'%%' is not a valid offset: bad base64 encoding");
    });
  }

  TEST_CASE("a traditional node answers Kong's 400 on the clustering endpoints") {
    ForEachBackend([](TestDatabase& db) {
      AdminFixture fx(db);
      RegisterClusteringEndpointsOffControlPlane(fx.admin());
      for (const char* path : {"/clustering/status", "/clustering/data-planes"}) {
        http::ClientResponse r = fx.Call("GET", path);
        CHECK(r.status == 400);
        CHECK(Str(J(r.body), "message") ==
              "this endpoint is only available when Kong is configured to run as Control "
              "Plane for the cluster");
      }
    });
  }
}

}  // namespace
}  // namespace kong::cluster
