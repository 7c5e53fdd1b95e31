// gen_cert: what `kong hybrid gen_cert` does, through kong::CertGen. Generates Kong's cluster
// certificate pair (EC P-384, self-signed, CN=kong_clustering), writes it as cluster.crt and
// cluster.key into a folder, prints their paths and expiry, and checks that the pair loads as
// a control plane's cluster_cert/cluster_cert_key (kong::Conf parses both).
//
//   gen_cert [DIR [DAYS]]   DIR must exist; without DIR the pair goes to a temporary folder
//                           that is removed at exit (the test run).
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "example_support.h"
#include "kong/kong.h"

int main(int argc, char** argv) {
  const char* program = "gen_cert";
  example::TempDir scratch;
  std::string dir = argc > 1 ? argv[1] : scratch.path();
  if (dir.empty()) return example::Fail(program, "could not create a temp folder");

  kong::CertGenOptions options;  // Kong's defaults: 1095 days, CN=kong_clustering
  if (argc > 2) options.days = std::atoi(argv[2]);
  const std::time_t generated_at = std::time(nullptr);
  kong::Result<kong::CertPair> pair = kong::CertGen::Generate(options);
  if (!pair.ok()) return example::Fail(program, "generate", pair.status());

  const std::string cert_path = dir + "/cluster.crt";
  const std::string key_path = dir + "/cluster.key";
  // Never overwrites: an existing file is kConflict and nothing is written.
  kong::Status written = kong::CertGen::WriteFiles(*pair, cert_path, key_path);
  if (!written.ok()) return example::Fail(program, "write", written);

  // The certificate is valid from generation for `days` days; CertPair does not carry its
  // notAfter, so it is computed here (to the second).
  std::time_t expires = generated_at + static_cast<std::time_t>(options.days) * 86400;
  char expiry[32] = "";
  std::tm tm;
  if (gmtime_r(&expires, &tm) != nullptr) std::strftime(expiry, sizeof expiry, "%F %T UTC", &tm);
  std::printf(
      "certificate: %s (mode 0644)\nkey:         %s (mode 0600)\nexpires:     %s (%d days)\n",
      cert_path.c_str(), key_path.c_str(), expiry, options.days);

  // The pair as a control plane would load it from kong.conf.
  auto conf = example::ConfWith(
      {{"role", "control_plane"}, {"cluster_cert", cert_path}, {"cluster_cert_key", key_path}});
  if (!conf.ok()) return example::Fail(program, "load the pair", conf.status());
  std::printf("loads as cluster_cert/cluster_cert_key: ok\n");
  return 0;
}
