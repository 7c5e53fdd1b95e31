// Tests for Kong's config hash: to_sorted_string rules, md5, the 1 MB fold and the part hashes.
// Expected digests were computed independently (Python hashlib) from the literal strings shown.
#include <string>

#include "cluster/config_hash.h"
#include "json/value.h"
#include "support/test_support.h"

using kong::cluster::CalculateConfigHash;
using kong::cluster::CalculateHash;
using kong::cluster::ConfigHashes;
using kong::cluster::kEmptyConfigHash;
using kong::cluster::Md5Hex;
using kong::cluster::SortedHashInput;
using kong::json::Array;
using kong::json::Value;

namespace {

Value MustParse(std::string_view text) {
  auto r = kong::json::Parse(text);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return std::move(r).value();
}

std::string Sorted(std::string_view json_text) { return SortedHashInput(MustParse(json_text)); }

}  // namespace

TEST_SUITE("cluster") {
  TEST_CASE("md5 hex matches known digests") {
    CHECK(Md5Hex("") == "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(Md5Hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
  }

  TEST_CASE("scalars render as Kong's string.buffer puts them") {
    CHECK(Sorted("null") == "/null/");
    CHECK(Sorted("true") == "true");
    CHECK(Sorted("false") == "false");
    CHECK(Sorted("\"a b:c;\"") == "a b:c;");  // strings are raw, no quoting or escaping
    CHECK(Sorted("5") == "5");
    CHECK(Sorted("-7") == "-7");
    CHECK(Sorted("1.5") == "1.5");
    CHECK(Sorted("0.1") == "0.1");
    CHECK(Sorted("1e20") == "1e+20");
    CHECK(Sorted("100000000000000000") == "1e+17");  // Lua numbers are doubles: %.14g
    CHECK(Sorted("0.333333333333333333") == "0.33333333333333");
    CHECK(Sorted("60000") == "60000");
  }

  TEST_CASE("empty containers are {} and arrays switch to trailing separators at six") {
    CHECK(Sorted("[]") == "{}");
    CHECK(Sorted("{}") == "{}");
    CHECK(Sorted("[1]") == "1");
    CHECK(Sorted("[1,2]") == "1;2");
    CHECK(Sorted("[1,2,3,4,5]") == "1;2;3;4;5");
    CHECK(Sorted("[1,2,3,4,5,6]") == "1;2;3;4;5;6;");
    CHECK(Sorted("[null,\"x\"]") == "/null/;x");
  }

  TEST_CASE("objects sort keys bytewise and end every member with a separator") {
    CHECK(Sorted(R"({"b":1,"a":2,"B":3})") == "B:3;a:2;b:1;");
    CHECK(Sorted(R"({"k":{"z":[],"y":[true,false]}})") == "k:y:true;false;z:{};;");
    CHECK(Sorted(R"([{"a":1},{"b":null}])") == "a:1;;b:/null/;");
  }

  TEST_CASE("a buffer past 1,000,000 bytes folds into its binary md5 on entry to a value") {
    Value v(Array{Value(std::string(1000001, 'a')), Value("x")});
    // Buffer "a"*1000001 ";" exceeds the limit when "x" is entered, so the input is
    // md5_bin("a"*1000001 ";") .. "x".
    std::string input = SortedHashInput(v);
    CHECK(input.size() == 17);
    CHECK(input.back() == 'x');
    CHECK(CalculateHash(&v) == "98ecfabe0f7aec3d4abc52c4d24c96f6");
    // Exactly at the limit nothing is folded.
    Value at_limit(Array{Value(std::string(999999, 'a')), Value("x")});
    CHECK(SortedHashInput(at_limit).size() == 1000001);
  }

  TEST_CASE("an absent value hashes to the empty config hash, a null does not") {
    CHECK(CalculateHash(nullptr) == kEmptyConfigHash);
    Value null_value;
    CHECK(CalculateHash(&null_value) == Md5Hex("/null/"));
  }

  TEST_CASE("the minimal declarative config reproduces the reference vector") {
    ConfigHashes h = CalculateConfigHash(MustParse(R"({"_format_version":"3.0","_transform":false})"));
    CHECK(h.routes == kEmptyConfigHash);
    CHECK(h.services == kEmptyConfigHash);
    CHECK(h.plugins == kEmptyConfigHash);
    CHECK(h.upstreams == kEmptyConfigHash);
    CHECK(h.targets == kEmptyConfigHash);
    CHECK(h.config == "3ba837da99e14dfab883d867101d37f6");
  }

  TEST_CASE("part hashes cover their keys and the rest excludes them") {
    Value config = MustParse(
        R"({"services":[{"port":80,"name":"s","tags":null}],"_format_version":"3.0","routes":[]})");
    ConfigHashes h = CalculateConfigHash(config);
    CHECK(h.routes == "99914b932bd37a50b983c5e7c90ae93b");    // md5("{}")
    CHECK(h.services == "d15d146b77d839e816aaffc004ed5c7b");  // md5("name:s;port:80;tags:/null/;")
    CHECK(h.plugins == kEmptyConfigHash);
    // md5(routes services 0*32 0*32 0*32 md5("_format_version:3.0;"))
    CHECK(h.config == "3b679e178dc62e282f24d321b5539560");
    // The input is untouched and the wire form carries all six names.
    CHECK(config.Find("services") != nullptr);
    Value wire = h.ToJson();
    CHECK(wire.as_object().size() == 6);
    CHECK(wire.Find("config")->as_string() == h.config);
    CHECK(wire.Find("targets")->as_string() == kEmptyConfigHash);
  }

  TEST_CASE("a non-object config hashes whole and fills only config") {
    ConfigHashes h = CalculateConfigHash(Value("x"));
    CHECK(h.config == "9dd4e461268c8034f5c8564e155c67a6");
    CHECK(h.routes.empty());
  }
}
