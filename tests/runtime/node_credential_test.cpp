// The hello's cryptography: a node signs with its key; a peer's certificate
// must chain to the cluster CA and name the node it claims, and the
// signature must be over exactly the message.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "runtime/node_credential.hpp"

using namespace draft;

namespace {

struct credentials : ::testing::Test {
  std::string dir = "/tmp/draft-unit-" + std::to_string(getpid()) + "-tls";
  std::string other = dir + "-other";

  void SetUp() override {
    auto script = std::string("bash '") + DRAFT_SOURCE_DIR + "/scripts/cluster-certs.sh' ";
    ASSERT_EQ(std::system((script + dir + " n1 n2").c_str()), 0);
    ASSERT_EQ(std::system((script + other + " n2").c_str()), 0); // another CA
  }
  void TearDown() override {
    std::filesystem::remove_all(dir);
    std::filesystem::remove_all(other);
  }
  std::shared_ptr<const node_credential> load(const std::string& node,
                                              const std::string& from) {
    auto c = node_credential::load(from + "/" + node + ".pem",
                                   from + "/" + node + ".key", dir + "/ca.pem");
    EXPECT_TRUE(c) << c.error().to_string();
    return c ? *c : nullptr;
  }
};

} // namespace

TEST_F(credentials, a_signature_verifies_only_for_its_node_message_and_ca) {
  auto n1 = load("n1", dir);
  auto n2 = load("n2", dir);
  ASSERT_TRUE(n1 && n2);
  EXPECT_EQ(n2->name(), "n2");
  auto signature = n2->sign("hello|n1|n2|nonce");
  ASSERT_FALSE(signature.empty());
  EXPECT_TRUE(n1->verify(n2->certificate_pem(), "n2", "hello|n1|n2|nonce", signature));
  // Claiming another node with this certificate:
  auto as_n1 = n1->verify(n2->certificate_pem(), "n1", "hello|n1|n2|nonce", signature);
  ASSERT_FALSE(as_n1);
  EXPECT_NE(as_n1.error().to_string().find("names 'n2'"), std::string::npos);
  // Another message:
  EXPECT_FALSE(n1->verify(n2->certificate_pem(), "n2", "hello|n1|n2|other", signature));
  // n1's certificate with n2's signature:
  EXPECT_FALSE(n1->verify(n1->certificate_pem(), "n1", "hello|n1|n2|nonce", signature));
  // A certificate of another CA, with a good signature of its own key:
  auto stranger = load("n2", other);
  ASSERT_TRUE(stranger);
  auto forged = stranger->sign("hello|n1|n2|nonce");
  auto refused = n1->verify(stranger->certificate_pem(), "n2", "hello|n1|n2|nonce", forged);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().to_string().find("not from the cluster CA"),
            std::string::npos);
  EXPECT_FALSE(n1->verify("not a certificate", "n2", "m", forged));
}

TEST_F(credentials, a_key_that_is_not_the_certificates_is_refused) {
  auto c = node_credential::load(dir + "/n1.pem", dir + "/n2.key", dir + "/ca.pem");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().to_string().find("does not belong"), std::string::npos);
}

TEST(node_credential, random_hex_is_fresh) {
  EXPECT_EQ(random_hex(32).size(), 64u);
  EXPECT_NE(random_hex(32), random_hex(32));
}
