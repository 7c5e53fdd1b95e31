// basic-auth (priority 1100): Kong 3.10's access.lua. Credentials come from Proxy-Authorization,
// then Authorization ("Basic base64(user:pass)"); the password matches when hex(SHA-1(password
// .. consumer_id)) equals the stored hash. Every failure is a 401 "Unauthorized" with
// WWW-Authenticate: Basic realm="<realm>". `anonymous` and the "logical OR" as in key-auth.
#include <memory>
#include <optional>
#include <string>

#include "pki/digest.h"
#include "plugins/auth_common.h"
#include "plugins/config_fields.h"
#include "plugins/consumers.h"
#include "plugins/factory.h"

namespace kong::plugins {
namespace {

struct BasicAuthConfig {
  std::optional<std::string> anonymous;
  bool hide_credentials = false;
  std::string challenge;  // Basic realm="<realm>"
};

struct UserPassword {
  std::string username;
  std::string password;
};

bool IsPcreSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// The regexes "\s*[Bb]asic\s*(.+)" (unanchored) and "([^:]+):(.*)" over the decoded value.
std::optional<UserPassword> ParseBasic(std::string_view header) {
  size_t at = std::string_view::npos;
  for (size_t i = 0; i + 5 <= header.size(); ++i) {
    if ((header[i] == 'B' || header[i] == 'b') && header.substr(i + 1, 4) == "asic") {
      at = i + 5;
      break;
    }
  }
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = header.substr(at);
  size_t skip = 0;
  while (skip < rest.size() && IsPcreSpace(rest[skip])) ++skip;
  // (.+) takes back one space when nothing else follows; that never decodes.
  if (skip == rest.size()) return std::nullopt;
  std::string_view encoded = rest.substr(skip, rest.find('\n', skip) - skip);
  std::optional<std::string> decoded = auth::NginxDecodeBase64(encoded);
  if (!decoded) return std::nullopt;
  std::string_view text = *decoded;
  // [^:]+ starts at the first non-colon character and runs to the next colon.
  const size_t user_start = text.find_first_not_of(':');
  if (user_start == std::string_view::npos) return std::nullopt;
  const size_t colon = text.find(':', user_start);
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view password = text.substr(colon + 1);
  password = password.substr(0, password.find('\n'));  // '.' stops at a newline
  return UserPassword{std::string(text.substr(user_start, colon - user_start)),
                      std::string(password)};
}

std::string Sha1Hex(std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(40);
  for (unsigned char c : pki::Sha1(data)) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

class BasicAuth final : public Plugin {
 public:
  BasicAuth(PluginSpec spec, BasicAuthConfig config)
      : Plugin(std::move(spec)), config_(std::move(config)) {}

  uint32_t phases() const override { return kAccessPhase; }

  Flow Access(PluginContext& ctx) const override {
    if (config_.anonymous && ctx.credential() != nullptr) return Flow::kContinue;
    if (Authenticate(ctx)) return Flow::kContinue;
    if (config_.anonymous) return auth::AuthenticateAnonymous(ctx, *config_.anonymous);
    return auth::RejectUnauthorized(ctx, "Unauthorized", config_.challenge);
  }

 private:
  // retrieve_credentials: parses one header, then hides it when configured, parsed or not.
  std::optional<UserPassword> Retrieve(PluginContext& ctx, std::string_view header_name) const {
    std::optional<UserPassword> given;
    if (auto value = ctx.request.headers.Get(header_name)) given = ParseBasic(*value);
    if (config_.hide_credentials) ctx.request.headers.Remove(header_name);
    return given;
  }

  bool Authenticate(PluginContext& ctx) const {
    if (!ctx.request.headers.Has("Authorization") &&
        !ctx.request.headers.Has("Proxy-Authorization")) {
      return false;
    }
    const BasicAuthCredential* credential = nullptr;
    std::optional<UserPassword> given = Retrieve(ctx, "Proxy-Authorization");
    if (given) credential = ctx.consumers.FindBasicAuth(given->username);
    if (credential == nullptr) {
      given = Retrieve(ctx, "Authorization");
      if (!given) return false;
      credential = ctx.consumers.FindBasicAuth(given->username);
    }
    if (credential == nullptr || credential->credential.consumer == nullptr) return false;
    if (Sha1Hex(given->password + credential->credential.consumer->id) !=
        credential->password_hash) {
      return false;
    }
    ctx.Authenticate(credential->credential.consumer, &credential->credential,
                     /*anonymous=*/false);
    return true;
  }

  BasicAuthConfig config_;
};

Result<std::unique_ptr<Plugin>> CreateBasicAuth(PluginSpec spec, const PluginEnv&) {
  const json::Value* c = spec.config;
  BasicAuthConfig config;
  config.anonymous = config::String(c, "anonymous");
  config.hide_credentials = config::Bool(c, "hide_credentials", false);
  config.challenge = "Basic realm=\"" + config::String(c, "realm").value_or("service") + "\"";
  return std::unique_ptr<Plugin>(new BasicAuth(std::move(spec), std::move(config)));
}

}  // namespace

PluginDescriptor BasicAuthDescriptor() { return {"basic-auth", 1100, CreateBasicAuth}; }

}  // namespace kong::plugins
