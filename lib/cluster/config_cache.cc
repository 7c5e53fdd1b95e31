// The data plane's config cache file: gzipped JSON with a self-check hash, written atomically.
#include "cluster/config_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <utility>

#include "base/files.h"
#include "base/macros.h"
#include "cluster/config_hash.h"
#include "cluster/gzip.h"

namespace kong::cluster {
namespace {

constexpr unsigned kCacheFileMode = 0600;  // the config holds credentials and certificates
constexpr size_t kMaxHashLength = 64;

bool IsHexHash(const std::string& s) {
  if (s.empty() || s.size() > kMaxHashLength) return false;
  for (char c : s) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

// Reads at most `max_bytes` of `path`. Checked before and during the read so that neither a
// huge file nor one growing while we read is pulled into memory.
Result<std::string> ReadBounded(const std::string& path, size_t max_bytes,
                                const std::string& what) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(what + "not found");
    return base::ErrnoStatus(err, "open " + path);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return base::ErrnoStatus(err, "stat " + path);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(what + "not a regular file");
  }
  if (static_cast<unsigned long long>(st.st_size) > max_bytes) {
    ::close(fd);
    return Status::InvalidArgument(what + "file too big (" + std::to_string(st.st_size) +
                                   " bytes, limit " + std::to_string(max_bytes) + ")");
  }
  std::string data;
  data.resize(static_cast<size_t>(st.st_size) + 1);  // +1 detects growth past the stat size
  size_t used = 0;
  while (used < data.size()) {
    ssize_t n = ::read(fd, data.data() + used, data.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return base::ErrnoStatus(err, "read " + path);
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  ::close(fd);
  if (used > max_bytes) {
    return Status::InvalidArgument(what + "file too big (limit " + std::to_string(max_bytes) +
                                   " bytes)");
  }
  data.resize(used);
  return data;
}

}  // namespace

ConfigCache::ConfigCache(std::string path, size_t max_bytes)
    : path_(std::move(path)), max_bytes_(max_bytes) {}

std::string ConfigCache::PathInPrefix(const std::string& prefix) {
  if (prefix.empty() || prefix.back() == '/') return prefix + kConfigCacheFileName;
  return prefix + "/" + kConfigCacheFileName;
}

Status ConfigCache::Save(const json::Value& config_table, const std::string& config_hash) const {
  const std::string what = "config cache " + path_ + ": ";
  if (!config_table.is_object()) {
    return Status::InvalidArgument(what + "config_table must be a JSON object");
  }
  if (!IsHexHash(config_hash)) {
    return Status::InvalidArgument(what + "config_hash must be 1-64 hex digits");
  }
  // Written around the table rather than via a wrapper Value, which would deep-copy a config
  // of up to max_bytes. Both hashes are hex, so they need no escaping.
  std::string text = "{\"config_hash\":\"" + config_hash + "\",\"content_hash\":\"" +
                     CalculateConfigHash(config_table).config + "\",\"config_table\":" +
                     json::Serialize(config_table) + "}";
  if (text.size() > max_bytes_) {
    return Status::InvalidArgument(what + "config too big to cache (" +
                                   std::to_string(text.size()) + " bytes, limit " +
                                   std::to_string(max_bytes_) + ")");
  }
  KONG_ASSIGN_OR_RETURN(std::string gz, GzipCompress(text));
  if (gz.size() > max_bytes_) {
    return Status::InvalidArgument(what + "compressed config too big to cache (" +
                                   std::to_string(gz.size()) + " bytes, limit " +
                                   std::to_string(max_bytes_) + ")");
  }
  return base::AtomicWriteFile(path_, gz, kCacheFileMode);
}

Result<CachedConfig> ConfigCache::Load() const {
  const std::string what = "config cache " + path_ + ": ";
  KONG_ASSIGN_OR_RETURN(std::string gz, ReadBounded(path_, max_bytes_, what));
  if (gz.empty()) return Status::InvalidArgument(what + "file is empty");

  auto text = GzipDecompress(gz, max_bytes_);
  // gzip's messages describe the framing only ("payload too big", "truncated ..."), never
  // the bytes, so they are safe to pass on.
  if (!text.ok()) return Status::InvalidArgument(what + text.status().message());

  auto doc = json::Parse(*text);
  // The parser's message names the position only; still keep it short and content-free.
  if (!doc.ok()) return Status::InvalidArgument(what + "not valid JSON");
  if (!doc->is_object()) return Status::InvalidArgument(what + "not a JSON object");

  const json::Value* hash = doc->Find("config_hash");
  const json::Value* content_hash = doc->Find("content_hash");
  json::Value* table = doc->Find("config_table");
  if (hash == nullptr || !hash->is_string() || !IsHexHash(hash->as_string())) {
    return Status::InvalidArgument(what + "missing or invalid config_hash");
  }
  if (content_hash == nullptr || !content_hash->is_string() ||
      !IsHexHash(content_hash->as_string())) {
    return Status::InvalidArgument(what + "missing or invalid content_hash");
  }
  if (table == nullptr || !table->is_object()) {
    return Status::InvalidArgument(what + "missing or invalid config_table");
  }
  std::string actual = CalculateConfigHash(*table).config;
  if (actual != content_hash->as_string()) {
    // Hashes are not secrets; naming both helps tell bit rot from a format change.
    return Status::InvalidArgument(what + "content hash mismatch (stored " +
                                   content_hash->as_string() +
                                   ", computed " + actual + ")");
  }
  CachedConfig out;
  out.config_hash = hash->as_string();
  out.config_table = std::move(*table);
  return out;
}

Status ConfigCache::Remove() const {
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
    return base::ErrnoStatus(errno, "remove " + path_);
  }
  return Status();
}

}  // namespace kong::cluster
