// The data plane's last good config on disk (<prefix>/config.cache.json.gz), for cold starts.
#ifndef KONG_CLUSTER_CONFIG_CACHE_H_
#define KONG_CLUSTER_CONFIG_CACHE_H_

#include <cstddef>
#include <string>

#include "json/value.h"
#include "kong/status.h"

namespace kong::cluster {

// Kong 2.1-2.8's file name inside the prefix.
inline constexpr const char kConfigCacheFileName[] = "config.cache.json.gz";

// What Load returns: the config_table and the hash the control plane sent with it (the hash a
// data plane reports in its pings and at GET /status).
struct CachedConfig {
  json::Value config_table;
  std::string config_hash;
};

// The cache file is one gzip member holding
//   {"config_hash":"<hash from the CP>","content_hash":"<CalculateConfigHash>","config_table":{...}}
// Kong 2.x stores the bare config_table and recomputes the hash; we keep the CP's hash (a
// 2.8 control plane hashes differently, and the DP must echo what it was given) plus our own
// recomputable content_hash, so bit rot or a hand edit is detected at load instead of being
// served. gzip's CRC32 already catches damage to the compressed bytes.
//
// Blocking file I/O (open/read/write/fsync/rename): call from a worker thread
// (uv_queue_work) or at start-up before the loop runs, never on a busy loop thread. One
// instance is not synchronised; use one writer per prefix.
class ConfigCache {
 public:
  // `path` is the full file path (see PathInPrefix). `max_bytes` bounds both the file on disk
  // and its inflated JSON, so a huge or zip-bomb file cannot exhaust memory; pass
  // cluster_max_payload (Kong's default 16 MiB in 3.x, 4 MiB in 2.x).
  ConfigCache(std::string path, size_t max_bytes);

  // "<prefix>/config.cache.json.gz".
  static std::string PathInPrefix(const std::string& prefix);

  const std::string& path() const { return path_; }

  // Replaces the file atomically with mode 0600 (temp file, fsync, rename, folder fsync): a
  // crash or failure mid-write leaves the previous file intact. `config_table` must be a JSON
  // object and `config_hash` non-empty hex of at most 64 characters (kInvalidArgument
  // otherwise); a document whose JSON or gzip form exceeds max_bytes is refused with
  // kInvalidArgument so that Save never writes a file Load would reject.
  Status Save(const json::Value& config_table, const std::string& config_hash) const;

  // The cached config. kNotFound when the file does not exist; kInvalidArgument (message
  // starting "config cache <path>: ") when it is empty, oversized, not gzip or truncated, not
  // JSON, of the wrong shape, or its content no longer matches its stored hash; kIo /
  // kPermissionDenied for OS errors. Messages never include the file's contents.
  Result<CachedConfig> Load() const;

  // Removes the file (e.g. after Load reported it corrupt). Absent is fine.
  Status Remove() const;

 private:
  std::string path_;
  size_t max_bytes_;
};

}  // namespace kong::cluster

#endif  // KONG_CLUSTER_CONFIG_CACHE_H_
