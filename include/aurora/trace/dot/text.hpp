// Text for the DOT writer: escaping for DOT strings and HTML-like labels (invalid UTF-8 as '?'),
// wrapping at spaces, and how times and steps are printed ("1.250 ms", steps from 1).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aurora::trace::dot_detail {

// Length of the valid UTF-8 sequence that starts at text[i], or 0 if the byte there starts none.
// Graphviz warns about invalid UTF-8, so such bytes are written as '?'.
inline std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  const std::size_t length = lead < 0x80           ? 1
                             : (lead >> 5) == 0x6  ? 2
                             : (lead >> 4) == 0xe  ? 3
                             : (lead >> 3) == 0x1e ? 4
                                                   : 0;
  if (length == 0 || i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return 0;
  }
  return length;
}

inline bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

// Copies text into `out`: multi-byte UTF-8 sequences pass through (invalid bytes become '?'),
// and each single-byte character goes to `escape(out, c)`. The one walk both escapers share.
template <class escaper>
void append_escaped(std::string& out, std::string_view text, escaper&& escape) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_length(text, i);
    if (length != 1) {
      if (length == 0) out += '?';
      out.append(text.substr(i, length));
      i += std::max<std::size_t>(length, 1);
      continue;
    }
    escape(out, text[i++]);
  }
}

// Text inside an HTML-like label: markup characters as entities, a backslash doubled (Graphviz
// expands \N, \G ... in HTML labels too, after decoding entities), a newline as a line break,
// other control characters as spaces.
inline void append_html(std::string& out, std::string_view text) {
  append_escaped(out, text, [](std::string& into, char c) {
    switch (c) {
      case '&': into += "&amp;"; break;
      case '<': into += "&lt;"; break;
      case '>': into += "&gt;"; break;
      case '"': into += "&quot;"; break;
      case '\\': into += "\\\\"; break;
      case '\n': into += "<br/>"; break;
      default: into += is_control(c) ? ' ' : c;
    }
  });
}

// A DOT quoted string, quotes included: quote and backslash escaped, a newline as \n.
inline void append_quoted(std::string& out, std::string_view text) {
  out += '"';
  append_escaped(out, text, [](std::string& into, char c) {
    if (c == '"' || c == '\\') {
      into += '\\';
      into += c;
    } else if (c == '\n') {
      into += "\\n";
    } else {
      into += is_control(c) ? ' ' : c;
    }
  });
  out += '"';
}

// Splits text into lines of at most `width` characters at spaces (longer words stay whole).
inline std::vector<std::string> wrap(std::string_view text, std::size_t width) {
  std::vector<std::string> lines(1);
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(start, end - start);
    const bool full = lines.back().size() + 1 + word.size() > width;
    if (!lines.back().empty() && full) lines.emplace_back();
    if (!lines.back().empty()) lines.back() += ' ';
    lines.back().append(word);
    start = end + 1;
  }
  return lines;
}

// Microseconds as milliseconds with three decimals: 1250 -> "1.250 ms".
inline std::string time_text(std::int64_t t_us) {
  const bool negative = t_us < 0;
  const auto bits = static_cast<std::uint64_t>(t_us);
  const std::uint64_t magnitude = negative ? std::uint64_t{0} - bits : bits;
  std::string text = negative ? "-" : "";
  text += std::to_string(magnitude / 1000);
  text += '.';
  text += std::to_string(magnitude % 1000 + 1000).substr(1);
  text += " ms";
  return text;
}

// A row's time: "1.250 ms", or a span "1.250–1.400 ms" for merged rows.
inline std::string time_span_text(std::int64_t first_us, std::int64_t last_us) {
  if (first_us == last_us) return time_text(first_us);
  std::string first = time_text(first_us);
  first.resize(first.size() - 3);  // without " ms"
  return first + "\xe2\x80\x93" + time_text(last_us);
}

// A 0-based step index as people count steps, from 1 ("step 3" is index 2).
inline std::string step_text(std::int64_t step) { return std::to_string(step + 1); }

// The first `size` bytes of text, shortened so as not to split a UTF-8 sequence.
inline std::string utf8_prefix(std::string_view text, std::size_t size) {
  if (size >= text.size()) return std::string(text);
  while (size > 0 && (static_cast<unsigned char>(text[size]) & 0xc0) == 0x80) --size;
  return std::string(text.substr(0, size));
}

}  // namespace aurora::trace::dot_detail
