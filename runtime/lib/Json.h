//===- Json.h - a minimal JSON reader for plans -----------------*- C++ -*-===//
//
// Just enough JSON for the vggq plan: objects, arrays, strings (with the
// standard escapes), numbers, true/false/null. Errors give the byte offset
// with line and column. No exceptions.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_RUNTIME_JSON_H
#define VGGQ_RUNTIME_JSON_H

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace vggq {
namespace rt {

/// One JSON value. Objects keep their keys in document order.
struct JsonValue {
  enum Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Null;
  bool boolean = false;
  double number = 0;
  std::string str;
  std::vector<JsonValue> items;                         ///< Array
  std::vector<std::pair<std::string, JsonValue>> members; ///< Object

  /// The member `key` of an object, or null when absent or not an object.
  const JsonValue *get(const std::string &key) const;
  static const char *kindName(Kind k);
};

/// Parses `text`; on failure returns false with `error` set.
bool parseJson(const std::string &text, JsonValue &out, std::string &error);

} // namespace rt
} // namespace vggq

#endif // VGGQ_RUNTIME_JSON_H
