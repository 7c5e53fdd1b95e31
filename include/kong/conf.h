// kong::Conf: kong.conf, KONG_* environment variables and overrides, resolved with Kong's
// precedence and validated with Kong's messages.
#ifndef KONG_CONF_H_
#define KONG_CONF_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kong/export.h"
#include "kong/status.h"

namespace kong {

// Where a configuration comes from, lowest precedence first: built-in defaults < `path` <
// `env` < `overrides`.
struct ConfSources {
  // A kong.conf file. Empty means no file, unless `search_default_paths` is set.
  std::string path;
  // With an empty `path`, read /etc/kong/kong.conf or else /etc/kong.conf if one exists, as
  // Kong does when `-c` is not given.
  bool search_default_paths = false;
  // The process environment as name -> value. Only KONG_<KEY> names are read, KEY being a
  // property name in upper case (KONG_CLUSTER_CERT). The library never calls getenv itself.
  std::map<std::string, std::string> env;
  // Highest precedence, property name -> raw value; this is where `kong -p <prefix>` goes.
  std::map<std::string, std::string> overrides;
};

// A loaded, validated configuration: an immutable value, cheap to copy, safe to share across
// threads.
class KONG_EXPORT Conf {
 public:
  // Reads, merges, types and validates every property. Fails with kInvalidArgument carrying
  // the first error in Kong's words (what `kong start` prints); `all_errors`, when given,
  // receives every error in order (what `kong check` prints). A missing `path` fails with
  // kNotFound and "no file at: <path>"; an unreadable one with "could not load config file:
  // <reason>". Reads files (kong.conf, certificates) on the calling thread.
  // See docs/configuration.md for every property, rule and difference from Kong.
  static Result<Conf> Load(const ConfSources& sources,
                           std::vector<std::string>* all_errors = nullptr);

  Conf(const Conf&);
  Conf& operator=(const Conf&);
  Conf(Conf&&) noexcept;
  Conf& operator=(Conf&&) noexcept;
  ~Conf();

  // The kong.conf that was read, absolute; "" when none.
  const std::string& path() const;

  // True when `key` is a known property with a value (not NONE, not empty).
  bool Has(std::string_view key) const;
  // The value of a known property in its canonical text form ("" when unset): numbers as
  // written by Kong ("4194304"), booleans "on"/"off", lists joined by ", ".
  std::string GetString(std::string_view key) const;
  // Typed views; unset or unknown properties give false, 0 and {}.
  bool GetBool(std::string_view key) const;
  double GetNumber(std::string_view key) const;
  std::vector<std::string> GetList(std::string_view key) const;

  // The PEM text of cluster_cert, cluster_cert_key or cluster_ca_cert, whichever form the
  // property was given in (a path, inline PEM, or base64 of PEM); "" when unset.
  std::string Pem(std::string_view key) const;

  // Every known property and its value, sorted by name, for `.kong_env` and `GET /`.
  // With `redact_secrets`, secret properties (keys, passwords) are replaced by "******".
  std::vector<std::pair<std::string, std::string>> Entries(bool redact_secrets) const;

  // Names of every property this version knows, sorted.
  static std::vector<std::string> KnownProperties();

  class Impl;

 private:
  explicit Conf(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

}  // namespace kong

#endif  // KONG_CONF_H_
