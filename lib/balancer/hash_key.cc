// Hash inputs from requests (Kong's get_value_to_hash) and the ring's hash function.
#include "balancer/hash_key.h"

#include <random>

#include "http/message.h"

namespace kong::balancer {

std::optional<std::string> HashCookieValue(const std::string& name, const RequestKeys& keys) {
  if (!keys.headers) return std::nullopt;
  for (std::string_view header : keys.headers->GetAll("Cookie")) {
    while (!header.empty()) {
      size_t semi = header.find(';');
      std::string_view pair = header.substr(0, semi);
      header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
      return std::string(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

std::optional<std::string> HashInput(HashOn on, const std::string& name, const RequestKeys& keys) {
  auto non_empty = [](std::string_view v) -> std::optional<std::string> {
    if (v.empty()) return std::nullopt;
    return std::string(v);
  };
  switch (on) {
    case HashOn::kNone:
      return std::nullopt;
    case HashOn::kConsumer:
      return non_empty(keys.consumer_id);
    case HashOn::kIp:
      return non_empty(keys.client_ip);
    case HashOn::kPath:
      return non_empty(keys.path);
    case HashOn::kCookie:
      return HashCookieValue(name, keys);
    case HashOn::kHeader: {
      if (!keys.headers) return std::nullopt;
      std::string joined;
      bool any = false;
      for (std::string_view v : keys.headers->GetAll(name)) {
        if (any) joined += ", ";
        joined += v;
        any = true;
      }
      if (!any) return std::nullopt;
      return joined;
    }
    case HashOn::kQueryArg: {
      if (keys.query_string.empty()) return std::nullopt;
      http::QueryParams q = http::ParseQuery(keys.query_string);
      auto it = q.find(name);
      if (it == q.end() || it->second.empty()) return std::nullopt;
      std::string joined;
      for (size_t i = 0; i < it->second.size(); ++i) {
        if (i) joined += ",";
        joined += it->second[i];
      }
      return joined;
    }
    case HashOn::kUriCapture: {
      if (!keys.uri_capture) return std::nullopt;
      std::optional<std::string_view> v = keys.uri_capture(name);
      if (!v) return std::nullopt;
      return std::string(*v);
    }
  }
  return std::nullopt;
}

uint64_t Hash64(std::string_view data) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

std::string RandomUuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng(), lo = rng();
  hi = (hi & ~0xf000ull) | 0x4000ull;                  // version 4
  lo = (lo & ~(0xc000ull << 48)) | (0x8000ull << 48);  // variant 10
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 32; ++i) {
    uint64_t word = i < 16 ? hi : lo;
    int nibble = static_cast<int>((word >> (60 - 4 * (i % 16))) & 0xf);
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    out += kHex[nibble];
  }
  return out;
}

}  // namespace kong::balancer
