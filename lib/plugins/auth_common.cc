// Helpers shared by the auth plugins: rejections, the anonymous consumer, base64 and form args.
#include "plugins/auth_common.h"

#include <array>

#include "http/message.h"
#include "plugins/consumers.h"

namespace kong::plugins::auth {
namespace {

constexpr size_t kMaxArgs = 100;  // kong.request.get_query() / get_body() default max_args
constexpr unsigned char kNotBase64 = 0xff;

constexpr std::array<unsigned char, 256> Base64Values() {
  std::array<unsigned char, 256> table{};
  for (auto& v : table) v = kNotBase64;
  constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (unsigned char i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = i;
  return table;
}

constexpr std::array<unsigned char, 256> kBase64Values = Base64Values();

// Whether the raw (encoded) argument name decodes to `name`, without allocating when the raw
// name has nothing to decode.
bool ArgNameIs(std::string_view raw, std::string_view name) {
  if (raw.find_first_of("%+") == std::string_view::npos) return raw == name;
  return http::PercentDecode(raw, /*plus_as_space=*/true) == name;
}

// Calls fn(raw_pair, raw_name, has_value, raw_value) for each of the first kMaxArgs arguments;
// fn returns false to stop. Empty pairs ("a&&b") do not count, as in nginx.
template <typename Fn>
void ForEachFormArg(std::string_view encoded, Fn&& fn) {
  size_t seen = 0;
  http::ForEachQueryPair(encoded, [&](std::string_view pair) {
    if (seen == kMaxArgs) return false;
    ++seen;
    const size_t eq = pair.find('=');
    const std::string_view raw_name = pair.substr(0, eq);
    if (raw_name.empty()) return true;  // "=x" names nothing
    const bool has_value = eq != std::string_view::npos;
    return fn(pair, raw_name, has_value, has_value ? pair.substr(eq + 1) : std::string_view());
  });
}

}  // namespace

Flow RejectUnauthorized(PluginContext& ctx, std::string message, const std::string& challenge) {
  http::HeaderMap headers;
  headers.Add("WWW-Authenticate", challenge);
  ctx.Exit(401, std::move(message), std::move(headers));
  return Flow::kExit;
}

Flow AuthenticateAnonymous(PluginContext& ctx, std::string_view anonymous) {
  const Consumer* consumer = ctx.consumers.FindByIdOrUsername(anonymous);
  if (consumer == nullptr) {
    ctx.Exit(500, "anonymous consumer " + std::string(anonymous) +
                      " is configured but doesn't exist");
    return Flow::kExit;
  }
  ctx.Authenticate(consumer, nullptr, /*anonymous=*/true);
  return Flow::kContinue;
}

std::optional<std::string> NginxDecodeBase64(std::string_view text) {
  size_t len = 0;
  while (len < text.size() && text[len] != '=') {
    if (kBase64Values[static_cast<unsigned char>(text[len])] == kNotBase64) return std::nullopt;
    ++len;
  }
  if (len % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(len / 4 * 3 + 2);
  auto v = [&text](size_t i) { return kBase64Values[static_cast<unsigned char>(text[i])]; };
  size_t i = 0;
  for (; len - i > 3; i += 4) {
    out.push_back(static_cast<char>(v(i) << 2 | v(i + 1) >> 4));
    out.push_back(static_cast<char>(v(i + 1) << 4 | v(i + 2) >> 2));
    out.push_back(static_cast<char>(v(i + 2) << 6 | v(i + 3)));
  }
  if (len - i > 1) out.push_back(static_cast<char>(v(i) << 2 | v(i + 1) >> 4));
  if (len - i > 2) out.push_back(static_cast<char>(v(i + 1) << 4 | v(i + 2) >> 2));
  return out;
}

FormArg FindFormArg(std::string_view encoded, std::string_view name) {
  FormArg found;
  ForEachFormArg(encoded, [&](std::string_view, std::string_view raw_name, bool has_value,
                              std::string_view raw_value) {
    if (!ArgNameIs(raw_name, name)) return true;
    if (found.kind != FormArg::Kind::kAbsent) {
      found.kind = FormArg::Kind::kRepeated;
      found.value.clear();
      return false;
    }
    found.kind = has_value ? FormArg::Kind::kValue : FormArg::Kind::kNoValue;
    if (has_value) found.value = http::PercentDecode(raw_value, /*plus_as_space=*/true);
    return true;
  });
  return found;
}

std::optional<std::string> RemoveFormArg(std::string_view encoded, std::string_view name) {
  // Every occurrence goes, not only the first 100 Lua would see: the upstream must never get
  // the credential.
  std::string kept;
  bool removed = false;
  http::ForEachQueryPair(encoded, [&](std::string_view pair) {
    if (ArgNameIs(pair.substr(0, pair.find('=')), name)) {
      removed = true;
    } else {
      if (!kept.empty()) kept.push_back('&');
      kept.append(pair);
    }
    return true;
  });
  if (!removed) return std::nullopt;
  return kept;
}

}  // namespace kong::plugins::auth
