#include "providers/mailgun/multipart_form.h"

#include <gtest/gtest.h>

namespace postern::providers::mailgun {
namespace {

TEST(MultipartForm, EncodesFieldsAndFilesPerRfc7578) {
  MultipartForm form;
  const std::string pdf("\0\1", 2);  // a file part is borrowed until encode()
  form.add_field("subject", "Grüße");
  form.add_file("attachment", "a \"b\".pdf", "application/pdf", pdf);
  auto encoded = form.encode("seed");
  EXPECT_EQ(encoded.content_type, "multipart/form-data; boundary=postern-seed");
  EXPECT_EQ(encoded.body,
            "--postern-seed\r\n"
            "Content-Disposition: form-data; name=\"subject\"\r\n\r\n"
            "Grüße\r\n"
            "--postern-seed\r\n"
            "Content-Disposition: form-data; name=\"attachment\"; filename=\"a %22b%22.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n" +
                std::string("\0\1", 2) +
                "\r\n"
                "--postern-seed--\r\n");
}

TEST(MultipartForm, PicksABoundaryThatNoPartContains) {
  MultipartForm form;
  form.add_field("text", "line\r\n--postern-seed\r\nmore --postern-seed-1 too");
  auto encoded = form.encode("seed");
  EXPECT_EQ(encoded.content_type, "multipart/form-data; boundary=postern-seed-2");
}

TEST(MultipartForm, KeepsContentTypesOnOneLine) {
  MultipartForm form;
  form.add_file("inline", "x.png", "image/png\r\nX-Evil: 1", "data");
  EXPECT_EQ(form.encode("s").body.find("\r\nX-Evil"), std::string::npos);
}

}  // namespace
}  // namespace postern::providers::mailgun
