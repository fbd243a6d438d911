//===- Json.cpp - a minimal JSON reader for plans -------------------------===//
//
// Recursive descent over the text; depth is bounded so that a hostile file
// cannot exhaust the stack.
//
//===----------------------------------------------------------------------===//
#include "Json.h"

#include <cstdlib>
#include <cstring>

using namespace vggq::rt;

const JsonValue *JsonValue::get(const std::string &key) const {
  if (kind != Object)
    return nullptr;
  for (const auto &m : members)
    if (m.first == key)
      return &m.second;
  return nullptr;
}

const char *JsonValue::kindName(Kind k) {
  static const char *names[] = {"null",   "boolean", "number",
                                "string", "array",   "object"};
  return names[k];
}

namespace {

class Parser {
public:
  explicit Parser(const std::string &t) : text(t) {}

  bool parseDocument(JsonValue &out, std::string &error) {
    bool ok = value(out, 0);
    if (ok) {
      skipSpace();
      if (pos != text.size())
        ok = fail("trailing characters after the JSON value");
    }
    if (!ok)
      error = message;
    return ok;
  }

private:
  const std::string &text;
  size_t pos = 0;
  std::string message;

  bool fail(const std::string &what) {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < pos && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    message = "JSON syntax error at line " + std::to_string(line) +
              ", column " + std::to_string(col) + ": " + what;
    return false;
  }

  void skipSpace() {
    while (pos < text.size() && std::strchr(" \t\r\n", text[pos]))
      ++pos;
  }

  bool literal(const char *word) {
    size_t n = std::strlen(word);
    if (text.compare(pos, n, word) != 0)
      return fail(std::string("expected '") + word + "'");
    pos += n;
    return true;
  }

  bool value(JsonValue &v, int depth) {
    if (depth > 64)
      return fail("nesting deeper than 64 levels");
    skipSpace();
    if (pos >= text.size())
      return fail("unexpected end of input");
    char c = text[pos];
    if (c == '{')
      return object(v, depth);
    if (c == '[')
      return array(v, depth);
    if (c == '"') {
      v.kind = JsonValue::String;
      return string(v.str);
    }
    if (c == 't' || c == 'f') {
      v.kind = JsonValue::Bool;
      v.boolean = c == 't';
      return literal(v.boolean ? "true" : "false");
    }
    if (c == 'n') {
      v.kind = JsonValue::Null;
      return literal("null");
    }
    return number(v);
  }

  bool number(JsonValue &v) {
    const char *begin = text.c_str() + pos;
    if (!(*begin == '-' || (*begin >= '0' && *begin <= '9')))
      return fail(std::string("unexpected character '") + *begin + "'");
    char *end = nullptr;
    v.kind = JsonValue::Number;
    v.number = std::strtod(begin, &end);
    if (end == begin)
      return fail("malformed number");
    pos += static_cast<size_t>(end - begin);
    return true;
  }

  bool string(std::string &out) {
    ++pos; // opening quote
    while (pos < text.size() && text[pos] != '"') {
      char c = text[pos++];
      if (static_cast<unsigned char>(c) < 0x20)
        return fail("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos >= text.size())
        break;
      char e = text[pos++];
      switch (e) {
      case '"': case '\\': case '/': out += e; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        if (pos + 4 > text.size())
          return fail("truncated \\u escape");
        unsigned cp = std::strtoul(text.substr(pos, 4).c_str(), nullptr, 16);
        pos += 4;
        // Plan strings are names; keep ASCII, replace the rest.
        out += cp < 0x80 ? static_cast<char>(cp) : '?';
        break;
      }
      default:
        return fail(std::string("bad escape '\\") + e + "'");
      }
    }
    if (pos >= text.size())
      return fail("unterminated string");
    ++pos; // closing quote
    return true;
  }

  bool array(JsonValue &v, int depth) {
    v.kind = JsonValue::Array;
    ++pos;
    skipSpace();
    if (pos < text.size() && text[pos] == ']') {
      ++pos;
      return true;
    }
    while (true) {
      v.items.emplace_back();
      if (!value(v.items.back(), depth + 1))
        return false;
      skipSpace();
      if (pos < text.size() && text[pos] == ',') {
        ++pos;
        continue;
      }
      if (pos < text.size() && text[pos] == ']') {
        ++pos;
        return true;
      }
      return fail("expected ',' or ']' in an array");
    }
  }

  bool object(JsonValue &v, int depth) {
    v.kind = JsonValue::Object;
    ++pos;
    skipSpace();
    if (pos < text.size() && text[pos] == '}') {
      ++pos;
      return true;
    }
    while (true) {
      skipSpace();
      if (pos >= text.size() || text[pos] != '"')
        return fail("expected a quoted key in an object");
      std::string key;
      if (!string(key))
        return false;
      skipSpace();
      if (pos >= text.size() || text[pos] != ':')
        return fail("expected ':' after key \"" + key + "\"");
      ++pos;
      v.members.emplace_back(key, JsonValue());
      if (!value(v.members.back().second, depth + 1))
        return false;
      skipSpace();
      if (pos < text.size() && text[pos] == ',') {
        ++pos;
        continue;
      }
      if (pos < text.size() && text[pos] == '}') {
        ++pos;
        return true;
      }
      return fail("expected ',' or '}' in an object");
    }
  }
};

} // namespace

bool vggq::rt::parseJson(const std::string &text, JsonValue &out,
                         std::string &error) {
  out = JsonValue();
  return Parser(text).parseDocument(out, error);
}
