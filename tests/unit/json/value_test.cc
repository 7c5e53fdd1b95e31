// Tests for json::Value: construction, copy/move, Find/Set/Erase and deep equality.
#include "json/value.h"

#include <limits>

#include "support/test_support.h"

using kong::json::Array;
using kong::json::Object;
using kong::json::Value;

TEST_SUITE("json") {
  TEST_CASE("constructors pick the expected types") {
    CHECK(Value().is_null());
    CHECK(Value(nullptr).is_null());
    CHECK(Value(true).is_bool());
    CHECK(Value(true).as_bool());
    CHECK(Value(7).is_int());
    CHECK(Value(int64_t{-9223372036854775807 - 1}).as_int() == INT64_MIN);
    CHECK(Value(1.5).type() == Value::Type::kDouble);
    CHECK(Value(1.5).is_number());
    CHECK(Value(3).as_double() == 3.0);
    CHECK(Value("abc").as_string() == "abc");
    CHECK(Value(std::string("x\0y", 3)).as_string().size() == 3);
    CHECK(Value(std::string_view("sv")).as_string() == "sv");
    CHECK(Value::EmptyArray().is_array());
    CHECK(Value::EmptyArray().as_array().empty());
    CHECK(Value::EmptyObject().is_object());
    CHECK(Value::EmptyObject().as_object().empty());
    CHECK(Value(Array{1, "two", nullptr}).as_array().size() == 3);
  }

  TEST_CASE("copies are deep and moves leave null behind") {
    Value a(Object{{"list", Array{1, 2}}, {"name", "svc"}});
    Value b = a;
    b.Find("list")->as_array().push_back(3);
    CHECK(a.Find("list")->as_array().size() == 2);
    CHECK(b.Find("list")->as_array().size() == 3);

    Value c = std::move(b);
    CHECK(b.is_null());  // NOLINT(bugprone-use-after-move): documented moved-from state
    CHECK(c.Find("list")->as_array().size() == 3);

    Value d("old");
    d = a;
    CHECK(d == a);
    d = Value(5);
    CHECK(d.as_int() == 5);
    Value& self = d;
    d = self;
    CHECK(d.as_int() == 5);
  }

  TEST_CASE("assigning a descendant to its ancestor is safe") {
    Value v(Array{Array{"inner", Object{{"k", 1}}}, 2});
    v = v.as_array()[0];
    REQUIRE(v.is_array());
    CHECK(v.as_array()[0].as_string() == "inner");

    Value w(Object{{"child", Object{{"k", "v"}}}});
    w = std::move(w.Find("child")->as_object()[0].second);
    CHECK(w == Value("v"));
  }

  TEST_CASE("Find returns null for absent keys and non-objects") {
    Value o(Object{{"a", 1}, {"b", nullptr}});
    REQUIRE(o.Find("a") != nullptr);
    CHECK(o.Find("a")->as_int() == 1);
    REQUIRE(o.Find("b") != nullptr);
    CHECK(o.Find("b")->is_null());
    CHECK(o.Find("c") == nullptr);
    CHECK(Value(Array{1}).Find("a") == nullptr);
    CHECK(Value("a").Find("a") == nullptr);
    const Value& co = o;
    CHECK(co.Find("a")->as_int() == 1);
  }

  TEST_CASE("Set replaces in place, appends new keys and turns null into an object") {
    Value v;
    v.Set("name", "a");
    REQUIRE(v.is_object());
    v.Set("port", 80);
    v.Set("host", "h");
    Value& stored = v.Set("port", 8080);
    CHECK(stored.as_int() == 8080);
    const Object& o = v.as_object();
    REQUIRE(o.size() == 3);
    CHECK(o[0].first == "name");
    CHECK(o[1].first == "port");
    CHECK(o[1].second.as_int() == 8080);
    CHECK(o[2].first == "host");

    // The new value may be a copy of this very object.
    v.Set("self", v);
    CHECK(v.Find("self")->Find("port")->as_int() == 8080);
    CHECK(v.Find("self")->Find("self") == nullptr);
  }

  TEST_CASE("Erase removes one member and keeps the others in order") {
    Value v(Object{{"a", 1}, {"b", 2}, {"c", 3}});
    CHECK(v.Erase("b"));
    CHECK_FALSE(v.Erase("b"));
    CHECK_FALSE(v.Erase("zzz"));
    REQUIRE(v.as_object().size() == 2);
    CHECK(v.as_object()[0].first == "a");
    CHECK(v.as_object()[1].first == "c");
    Value arr(Array{1});
    CHECK_FALSE(arr.Erase("a"));
    Value null_value;
    CHECK_FALSE(null_value.Erase("a"));
    CHECK(null_value.is_null());
  }

  TEST_CASE("numbers compare by value across int and double") {
    CHECK(Value(1) == Value(1.0));
    CHECK(Value(1.0) == Value(1));
    CHECK(Value(1) != Value(1.5));
    CHECK(Value(0) == Value(-0.0));
    CHECK(Value(-3) == Value(-3.0));
    // 2^53 + 1 is not a double; a lossy double(i) == d would call these equal.
    CHECK(Value(int64_t{9007199254740993}) != Value(9007199254740992.0));
    CHECK(Value(int64_t{9007199254740992}) == Value(9007199254740992.0));
    CHECK(Value(INT64_MAX) != Value(9223372036854775808.0));
    CHECK(Value(INT64_MIN) == Value(-9223372036854775808.0));
    double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK(Value(nan) != Value(nan));
    CHECK(Value(0) != Value(nan));
    CHECK(Value(1) != Value(true));
    CHECK(Value(0) != Value(nullptr));
    CHECK(Value("1") != Value(1));
  }

  TEST_CASE("objects compare regardless of member order, arrays in order") {
    Value a(Object{{"x", 1}, {"y", Array{1, 2}}, {"z", Object{{"k", "v"}}}});
    Value b(Object{{"z", Object{{"k", "v"}}}, {"x", 1.0}, {"y", Array{1, 2}}});
    CHECK(a == b);
    b.Find("y")->as_array()[1] = 3;
    CHECK(a != b);
    CHECK(Value(Array{1, 2}) != Value(Array{2, 1}));
    CHECK(Value(Array{1, 2}) != Value(Array{1, 2, 3}));
    CHECK(Value(Object{{"a", 1}}) != Value(Object{{"a", 1}, {"b", 1}}));
    CHECK(Value(Object{{"a", 1}}) != Value(Object{{"b", 1}}));
    CHECK(Value::EmptyObject() != Value::EmptyArray());
    CHECK(Value::EmptyObject() != Value());

    // Large objects take the sorting path.
    Value big1 = Value::EmptyObject();
    Value big2 = Value::EmptyObject();
    for (int i = 0; i < 100; ++i) big1.Set("k" + std::to_string(i), i);
    for (int i = 99; i >= 0; --i) big2.Set("k" + std::to_string(i), i);
    CHECK(big1 == big2);
    big2.Set("k50", "changed");
    CHECK(big1 != big2);
    big2.Set("k50", 50);
    CHECK(big1 == big2);
    big2.Erase("k7");
    big2.Set("k7x", 7);
    CHECK(big1 != big2);
  }
}
