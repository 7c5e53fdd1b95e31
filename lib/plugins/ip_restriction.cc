// ip-restriction (PRIORITY 990): rejects clients by address, deny list first, then allow list
// (kong/plugins/ip-restriction/handler.lua, lua-resty-ipmatcher).
#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <tuple>

#include "net/socket_address.h"
#include "plugins/config_fields.h"
#include "plugins/factory.h"

namespace kong::plugins {
namespace {

// 128 address bits as two big-endian halves; an IPv4 address sits in the low 32 bits of `lo`.
struct IpBits {
  uint64_t hi = 0;
  uint64_t lo = 0;
  bool operator<(const IpBits& o) const { return std::tie(hi, lo) < std::tie(o.hi, o.lo); }
  bool operator==(const IpBits& o) const { return hi == o.hi && lo == o.lo; }
};

uint64_t LoadBigEndian(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

// Parses an IPv4 or IPv6 literal (brackets allowed). As nginx's $binary_remote_addr, an
// IPv4-mapped IPv6 address ("::ffff:1.2.3.4") stays IPv6.
bool ParseAddress(std::string_view text, bool* v6, IpBits* out) {
  text = net::StripBrackets(text);
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return false;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  unsigned char bytes[16];
  if (inet_pton(AF_INET, buf, bytes) == 1) {
    *v6 = false;
    *out = IpBits{0, LoadBigEndian(bytes, 4)};
    return true;
  }
  if (inet_pton(AF_INET6, buf, bytes) == 1) {
    *v6 = true;
    *out = IpBits{LoadBigEndian(bytes, 8), LoadBigEndian(bytes + 8, 8)};
    return true;
  }
  return false;
}

// Keeps the first `bits` bits of an address of `width` bits (32 or 128).
IpBits MaskPrefix(IpBits a, int bits, int width) {
  auto keep_high = [](uint64_t word, int n) {  // the top n of 64 bits
    return n <= 0 ? 0 : n >= 64 ? word : word & (~uint64_t{0} << (64 - n));
  };
  if (width == 32) return IpBits{0, keep_high(a.lo << 32, bits) >> 32};
  return IpBits{keep_high(a.hi, bits), keep_high(a.lo, bits - 64)};
}

// A set of addresses and CIDR blocks of one family: per prefix length, the sorted networks,
// so a lookup costs one binary search per distinct prefix length.
class IpSet {
 public:
  void Add(IpBits net, int bits, int width) {
    auto it = std::find_if(groups_.begin(), groups_.end(),
                           [bits](const Group& g) { return g.bits == bits; });
    if (it == groups_.end()) it = groups_.insert(groups_.end(), Group{bits, {}});
    it->nets.push_back(MaskPrefix(net, bits, width));
  }
  void Seal() {
    for (Group& g : groups_) {
      std::sort(g.nets.begin(), g.nets.end());
      g.nets.erase(std::unique(g.nets.begin(), g.nets.end()), g.nets.end());
    }
  }
  bool Contains(IpBits addr, int width) const {
    for (const Group& g : groups_) {
      if (std::binary_search(g.nets.begin(), g.nets.end(), MaskPrefix(addr, g.bits, width))) {
        return true;
      }
    }
    return false;
  }

 private:
  struct Group {
    int bits = 0;
    std::vector<IpBits> nets;
  };
  std::vector<Group> groups_;
};

// One list (allow or deny) compiled for both families.
class IpMatcher {
 public:
  static Result<IpMatcher> Build(const std::vector<std::string>& entries, std::string_view field) {
    IpMatcher m;
    for (const std::string& entry : entries) {
      const size_t slash = entry.find('/');
      const std::string_view ip = std::string_view(entry).substr(0, slash);
      bool v6 = false;
      IpBits addr;
      bool ok = ParseAddress(ip, &v6, &addr);
      const int width = v6 ? 128 : 32;
      int bits = width;
      if (ok && slash != std::string::npos) {
        const char* first = entry.data() + slash + 1;
        const char* last = entry.data() + entry.size();
        const auto [end, ec] = std::from_chars(first, last, bits);
        ok = first != last && ec == std::errc() && end == last && bits >= 0 && bits <= width;
      }
      if (!ok) {
        return Status::InvalidArgument("ip-restriction: invalid IP address or CIDR block '" +
                                       entry + "' in config." + std::string(field));
      }
      (v6 ? m.v6_ : m.v4_).Add(addr, bits, width);
      m.empty_ = false;
    }
    m.v4_.Seal();
    m.v6_.Seal();
    return m;
  }

  bool empty() const { return empty_; }
  bool Contains(bool v6, IpBits addr) const {
    return v6 ? v6_.Contains(addr, 128) : v4_.Contains(addr, 32);
  }

 private:
  IpSet v4_;
  IpSet v6_;
  bool empty_ = true;
};

class IpRestriction final : public Plugin {
 public:
  IpRestriction(PluginSpec spec, IpMatcher allow, IpMatcher deny, int status,
                std::optional<std::string> message)
      : Plugin(std::move(spec)),
        allow_(std::move(allow)),
        deny_(std::move(deny)),
        status_(status),
        message_(std::move(message)) {}

  uint32_t phases() const override { return kAccessPhase; }

  Flow Access(PluginContext& ctx) const override {
    bool v6 = false;
    IpBits addr;
    if (!ParseAddress(ctx.client_ip, &v6, &addr)) {
      ctx.Exit(403, "Cannot identify the client IP address, unix domain sockets are not "
                    "supported.");
      return Flow::kExit;
    }
    const bool denied = !deny_.empty() && deny_.Contains(v6, addr);
    if (denied || (!allow_.empty() && !allow_.Contains(v6, addr))) {
      // kong.response.error() refuses a status outside 400..599: the handler fails, Kong 500s.
      if (status_ < 400 || status_ > 599) {
        ctx.Exit(500, "An unexpected error occurred");
      } else {
        ctx.Exit(status_, message_ ? *message_
                                   : "IP address not allowed: " + std::string(ctx.client_ip));
      }
      return Flow::kExit;
    }
    return Flow::kContinue;
  }

 private:
  IpMatcher allow_;
  IpMatcher deny_;
  int status_;
  std::optional<std::string> message_;
};

Result<std::unique_ptr<Plugin>> CreateIpRestriction(PluginSpec spec, const PluginEnv&) {
  const json::Value* conf = spec.config;
  const std::vector<std::string> none;
  auto allow = IpMatcher::Build(config::Strings(conf, "allow").value_or(none), "allow");
  if (!allow.ok()) return allow.status();
  auto deny = IpMatcher::Build(config::Strings(conf, "deny").value_or(none), "deny");
  if (!deny.ok()) return deny.status();
  const int status = static_cast<int>(config::Number(conf, "status").value_or(403));
  return std::unique_ptr<Plugin>(new IpRestriction(std::move(spec), std::move(*allow),
                                                   std::move(*deny), status,
                                                   config::String(conf, "message")));
}

}  // namespace

PluginDescriptor IpRestrictionDescriptor() {
  return PluginDescriptor{"ip-restriction", 990, CreateIpRestriction};
}

}  // namespace kong::plugins
