// RAII for the GMime/GLib C objects used inside src/mime: every reference we
// take is released on scope exit, so nothing leaks on early error returns.
#pragma once

#include <glib-object.h>
#include <glib.h>
#include <gmime/gmime.h>

#include <memory>
#include <string>

namespace postern::mime::detail {

struct GObjectUnref {
  void operator()(gpointer object) const noexcept {
    if (object != nullptr) g_object_unref(object);
  }
};

// Owns one GObject reference (GMimeObject, GMimeStream, GMimeParser, ...).
template <class T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

// Adopts a reference returned by a GMime "_new" function (transfer full).
template <class T>
GObjectPtr<T> adopt(T* object) noexcept {
  return GObjectPtr<T>(object);
}

struct GFree {
  void operator()(gpointer p) const noexcept { g_free(p); }
};

// Owns a g_malloc'ed C string (transfer full results such as
// g_mime_content_type_get_mime_type).
using GCharPtr = std::unique_ptr<char, GFree>;

struct FormatOptionsFree {
  void operator()(GMimeFormatOptions* options) const noexcept {
    if (options != nullptr) g_mime_format_options_free(options);
  }
};
using FormatOptionsPtr = std::unique_ptr<GMimeFormatOptions, FormatOptionsFree>;

// Format options for everything Postern writes: CRLF line ends
// (RFC 5322 §2.1: lines end in CRLF on the wire).
inline FormatOptionsPtr crlf_format_options() {
  FormatOptionsPtr options(g_mime_format_options_new());
  g_mime_format_options_set_newline_format(options.get(), GMIME_NEWLINE_FORMAT_DOS);
  return options;
}

// Copies a GMime-owned C string; nullptr becomes "".
inline std::string to_string(const char* s) {
  return s == nullptr ? std::string() : std::string(s);
}

}  // namespace postern::mime::detail
