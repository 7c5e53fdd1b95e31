// Kong's typedefs with their custom validators and messages.
#include "schema/typedefs.h"

#include <cctype>

#include "schema/host_syntax.h"
#include "schema/lua_pattern.h"
#include "schema/pem_check.h"
#include "schema/route_regex.h"

namespace kong::schema::typedefs {
namespace {

Field WithValidator(Field f, CustomValidator v) {
  f.custom_validator = std::move(v);
  return f;
}

// Wraps a string-only validator (the type check has run before custom validators).
CustomValidator OnString(std::function<std::optional<std::string>(const std::string&)> fn) {
  return [fn = std::move(fn)](const json::Value& v) -> std::optional<std::string> {
    if (!v.is_string()) return std::nullopt;
    return fn(v.as_string());
  };
}

std::vector<json::Value> ToValues(const std::vector<std::string>& v) {
  std::vector<json::Value> out;
  for (const std::string& s : v) out.emplace_back(s);
  return out;
}

json::Value ToArray(const std::vector<std::string>& v) { return json::Value(json::Array(ToValues(v))); }

std::optional<std::string> ValidateHostWithOptionalPort(const std::string& host) {
  std::string err;
  if (!NormalizeIp(host, &err)) return err;
  return std::nullopt;
}

std::optional<std::string> ValidateTokenName(const std::string& name, const char* what) {
  if (name.empty()) return std::string("no ") + what + " name provided";
  if (LuaPatternFind(name, "^[%w%-_]+$")) return std::nullopt;
  return std::string("bad ") + what + " name '" + name +
         "', allowed characters are A-Z, a-z, 0-9, '_', and '-'";
}

Field SourcesLike() {
  std::vector<NamedField> fields{{"ip", IpOrCidr()}, {"port", Port()}};
  return SetOf(RecordOf(std::move(fields), {AtLeastOneOf({"ip", "port"})}));
}

}  // namespace

const std::vector<std::string>& AllProtocols() {
  static const std::vector<std::string> kAll{"grpc", "grpcs", "http", "https",
                                             "tcp",  "tls",   "tls_passthrough", "udp"};
  return kAll;
}

const std::vector<std::string>& HttpProtocols() {
  static const std::vector<std::string> kHttp{"grpc", "grpcs", "http", "https"};
  return kHttp;
}

std::optional<std::string> ValidateUtf8(const std::string& s) {
  size_t pos = InvalidUtf8Position(s);
  if (pos == 0) return std::nullopt;
  return "invalid utf-8 character sequence detected at position " + std::to_string(pos);
}

std::optional<std::string> ValidateHost(const std::string& host) {
  std::string err;
  std::optional<NormalizedHost> h = NormalizeIp(host, &err);
  if (!h && err != "invalid port number") return "invalid value: " + host;
  if (!h || h->port) return std::string("must not have a port");
  return std::nullopt;
}

std::optional<std::string> ValidateWildcardHost(const std::string& input) {
  std::string host = input;
  size_t star = host.find('*');
  if (star != std::string::npos) {
    if (star != 0 && star != host.size() - 1) {
      return std::string("wildcard must be leftmost or rightmost character");
    }
    if (host.find('*', star + 1) != std::string::npos) {
      return std::string("only one wildcard must be specified");
    }
    host.replace(star, 1, "wildcard");
  }
  std::string err;
  std::optional<NormalizedHost> h = NormalizeIp(host, &err);
  if (!h && err != "invalid port number") return "invalid value: " + host;
  if (h && h->kind != HostKind::kName) return std::string("must not be an IP");
  if (!h || h->port) return std::string("must not have a port");
  return std::nullopt;
}

std::optional<std::string> ValidatePath(const std::string& path, bool* percent_error) {
  *percent_error = false;
  if (!LuaPatternFind(path, "^/[%w%.%-%_%~%/%%%:%@%!%$%&%'%(%)%*%+%,%;%=]*$")) {
    return "invalid path: '" + path + "' (characters outside of the reserved list of RFC 3986 found)";
  }
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') continue;
    auto hex = [&](size_t k) { return k < path.size() && std::isxdigit(static_cast<unsigned char>(path[k])); };
    if (hex(i + 1) && hex(i + 2)) {
      i += 2;
      continue;
    }
    *percent_error = true;
    return "invalid url-encoded value: '" + path.substr(i, 3) + "'";
  }
  return std::nullopt;
}

Field Uuid() {
  Field f = StringField();
  f.uuid = true;
  f.auto_generated = true;
  return f;
}

Field AutoTimestampS() {
  Field f = IntegerField();
  f.timestamp = true;
  f.auto_generated = true;
  return f;
}

Field AutoTimestampMs() {
  Field f = NumberField();
  f.timestamp = true;
  f.auto_generated = true;
  return f;
}

Field Name() {
  Field f = WithValidator(StringField(), OnString([](const std::string& name) -> std::optional<std::string> {
    if (LuaPatternFind(name, "^[%w%.%-%_~]+$")) return std::nullopt;
    return "invalid value '" + name + "': it must only contain alphanumeric and '., -, _, ~' characters";
  }));
  f.unique = true;
  return f;
}

Field Utf8Name() {
  Field f = WithValidator(StringField(), OnString([](const std::string& name) -> std::optional<std::string> {
    if (auto err = ValidateUtf8(name)) return err;
    if (LuaPatternFind(name, "^[%w%.%-%_~\x80-\xf4]+$")) return std::nullopt;
    return "invalid value '" + name +
           "': the only accepted ascii characters are alphanumerics or ., -, _, and ~";
  }));
  f.unique = true;
  return f;
}

Field Host() { return WithValidator(StringField(), OnString(ValidateHost)); }
Field HostWithOptionalPort() {
  return WithValidator(StringField(), OnString(ValidateHostWithOptionalPort));
}
Field WildcardHost() { return WithValidator(StringField(), OnString(ValidateWildcardHost)); }

Field Sni() {
  return WithValidator(StringField(), OnString([](const std::string& host) -> std::optional<std::string> {
    std::string err;
    std::optional<NormalizedHost> h = NormalizeIp(host, &err);
    if (!h && err != "invalid port number") return "invalid value: " + host;
    if (h && h->kind != HostKind::kName) return std::string("must not be an IP");
    if (!h || h->port) return std::string("must not have a port");
    return std::nullopt;
  }));
}

Field Ip() {
  return WithValidator(StringField(), OnString([](const std::string& ip) -> std::optional<std::string> {
    if (IsValidIp(ip)) return std::nullopt;
    return "not an ip address: " + ip;
  }));
}

Field IpOrCidr() {
  return WithValidator(StringField(), OnString([](const std::string& s) -> std::optional<std::string> {
    if (IsValidIpOrCidr(s)) return std::nullopt;
    return "invalid ip or cidr range: '" + s + "'";
  }));
}

Field CidrV4() {
  return WithValidator(StringField(), OnString([](const std::string& s) -> std::optional<std::string> {
    if (IsValidIpOrCidrV4(s)) return std::nullopt;
    return "invalid ipv4 cidr range: '" + s + "'";
  }));
}

Field Port() {
  Field f = IntegerField();
  f.between = {0, 65535};
  return f;
}

Field Path() {
  Field f = WithValidator(StringField(), OnString([](const std::string& p) {
    bool percent;
    return ValidatePath(p, &percent);
  }));
  f.starts_with = "/";
  f.match_none = {{"//", "must not have empty segments"}};
  return f;
}

Field Url() {
  return WithValidator(StringField(), OnString([](const std::string& url) -> std::optional<std::string> {
    ParsedUrl u = ParseUrl(url);
    if (!u.host) return std::string("missing host in url");
    if (!u.scheme) return std::string("missing scheme in url");
    return std::nullopt;
  }));
}

Field HeaderName() {
  return WithValidator(StringField(), OnString([](const std::string& n) {
    return ValidateTokenName(n, "header");
  }));
}

Field CookieName() {
  return WithValidator(StringField(), OnString([](const std::string& n) {
    return ValidateTokenName(n, "cookie");
  }));
}

Field Timeout() {
  Field f = IntegerField();
  f.between = {0, 2147483646.0};
  return f;
}

Field Protocol() {
  Field f = StringField();
  f.one_of = ToValues(AllProtocols());
  return f;
}

Field Protocols() {
  Field f = SetOf(Protocol());
  f.required = true;
  f.default_value = ToArray(HttpProtocols());
  return f;
}

Field ProtocolsHttp() {
  Field element = StringField();
  element.one_of = ToValues(HttpProtocols());
  Field f = SetOf(std::move(element));
  f.required = true;
  f.default_value = ToArray(HttpProtocols());
  return f;
}

Field Tag() {
  Field f = WithValidator(StringField(), OnString([](const std::string& tag) -> std::optional<std::string> {
    if (auto err = ValidateUtf8(tag)) return err;
    if (LuaPatternFind(tag, "^[ !-+%-.0-~\x80-\xf4]+$")) return std::nullopt;
    return "invalid tag '" + tag +
           "': expected printable ascii (except `,` and `/`) or valid utf-8 sequences";
  }));
  f.required = true;
  return f;
}

Field Tags() { return SetOf(Tag()); }

Field Certificate() {
  return WithValidator(StringField(), OnString([](const std::string& pem) -> std::optional<std::string> {
    if (auto err = CertificateParseError(pem)) return "invalid certificate: " + *err;
    return std::nullopt;
  }));
}

Field Key() {
  return WithValidator(StringField(), OnString([](const std::string& pem) -> std::optional<std::string> {
    if (auto err = KeyParseError(pem)) return "invalid key: " + *err;
    return std::nullopt;
  }));
}

Field HttpMethod() {
  Field f = StringField();
  f.match = "^%u+$";
  return f;
}

Field Methods() { return SetOf(HttpMethod()); }

Field Hosts() {
  Field e = WithValidator(StringField(), OnString([](const std::string& host) {
    std::string no_wildcards = host;
    for (size_t p = no_wildcards.find('*'); p != std::string::npos; p = no_wildcards.find('*', p)) {
      no_wildcards.replace(p, 1, "abc");
    }
    return ValidateHostWithOptionalPort(no_wildcards);
  }));
  e.match_all = {{"^[^*]*%*?[^*]*$", "invalid wildcard: must have at most one wildcard"}};
  e.match_any = MatchAny{{"^%*%.", "%.%*$", "^[^*]*$"},
                         "invalid wildcard: must be placed at leftmost or rightmost label"};
  return ArrayOf(std::move(e));
}

Field RouterPath() {
  Field f = WithValidator(StringField(), OnString([](const std::string& path) -> std::optional<std::string> {
    bool percent;
    std::optional<std::string> err = ValidatePath(path, &percent);
    if (percent) return err;
    if (path.empty() || path[0] != '~') {
      std::string normalized = NormalizeUriPath(path);
      if (normalized != path) {
        return "non-normalized path, consider use '" + normalized + "' instead";
      }
      return std::nullopt;
    }
    std::string re = path.substr(1);
    if (auto pcre = PcreCompileError(re)) {
      return "invalid regex: '" + re + "' (PCRE returned: " + *pcre + ")";
    }
    return std::nullopt;
  }));
  f.match_any = MatchAny{{"^/", "^~/"}, "should start with: / (fixed path) or ~/ (regex path)"};
  f.match_none = {{"//", "must not have empty segments"}};
  return f;
}

Field RouterPaths() { return ArrayOf(RouterPath()); }

Field Headers() {
  Field values = ArrayOf(StringField());
  return MapOf(HeaderName(), std::move(values));
}

Field Sources() { return SourcesLike(); }
Field Destinations() { return SourcesLike(); }

namespace {
Field NoForeign(const char* reference) {
  Field f = Foreign(reference);
  f.eq = json::Value();
  return f;
}
}  // namespace

Field NoConsumer() { return NoForeign("consumers"); }
Field NoRoute() { return NoForeign("routes"); }
Field NoService() { return NoForeign("services"); }

Field SemanticVersion() {
  Field f = StringField();
  f.match_any = MatchAny{{"^%d+[%.%d]*$", "^%d+[%.%d]*%-?.*$"},
                         "invalid version number: must be in format of X.Y.Z"};
  f.match_none = {{"%.%.", "must not have empty version segments"}};
  return f;
}

}  // namespace kong::schema::typedefs
