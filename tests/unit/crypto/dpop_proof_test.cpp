// DPoP proofs (RFC 9449) as the Sign-In service checks them: made with the session's key,
// verified with the key the proof carries; any change to a part breaks the signature.
#include "crypto/dpop_proof.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/base64.h"

namespace ssm::crypto {
namespace {

std::string part(const std::string& proof, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) start = proof.find('.', start) + 1;
  return proof.substr(start, proof.find('.', start) - start);
}

nlohmann::json decode(const std::string& b64) {
  const auto bytes = base::base64url_decode(b64);
  return nlohmann::json::parse(bytes->begin(), bytes->end());
}

TEST(DpopProof, MadeAndVerifiedWithTheClaimsOfTheRequest) {
  const std::string key = generate_dpop_key_pem();
  ASSERT_EQ(key.rfind("-----BEGIN EC PRIVATE KEY-----", 0), 0u) << key;  // SEC1, as aws login stores it
  std::string error;
  const auto proof = make_dpop_proof(key, "POST", "https://us-east-1.signin.aws.amazon.com/v1/token", 1'764'950'400,
                                     "jti-1", error);
  ASSERT_TRUE(proof) << error;
  const auto header = decode(part(*proof, 0));
  EXPECT_EQ(header["typ"], "dpop+jwt");
  EXPECT_EQ(header["alg"], "ES256");
  EXPECT_EQ(header["jwk"]["kty"], "EC");
  EXPECT_EQ(header["jwk"]["crv"], "P-256");
  EXPECT_EQ(base::base64url_decode(part(*proof, 2))->size(), 64u);  // raw r||s, not DER

  const auto claims = verify_dpop_proof(*proof, error);
  ASSERT_TRUE(claims) << error;
  EXPECT_EQ(claims->method, "POST");
  EXPECT_EQ(claims->url, "https://us-east-1.signin.aws.amazon.com/v1/token");
  EXPECT_EQ(claims->jti, "jti-1");
  EXPECT_EQ(claims->issued_at, 1'764'950'400);

  // The same key signs every proof of a session: the endpoint binds refreshes to it.
  const auto again = make_dpop_proof(key, "POST", "http://x/v1/token", 1, "jti-2", error);
  ASSERT_TRUE(again);
  EXPECT_EQ(verify_dpop_proof(*again, error)->public_key, claims->public_key);
  const auto other = make_dpop_proof(generate_dpop_key_pem(), "POST", "http://x/v1/token", 1, "jti-3", error);
  EXPECT_NE(verify_dpop_proof(*other, error)->public_key, claims->public_key);
}

TEST(DpopProof, AnyChangeOrForeignKeyIsRefused) {
  std::string error;
  const std::string key = generate_dpop_key_pem();
  const std::string proof = *make_dpop_proof(key, "POST", "http://127.0.0.1:1/v1/token", 5, "j", error);
  // Claims rewritten to another URL, with the original signature.
  auto claims = decode(part(proof, 1));
  claims["htu"] = "http://elsewhere/v1/token";
  const std::string forged = part(proof, 0) + "." + base::base64url_encode(claims.dump()) + "." + part(proof, 2);
  EXPECT_FALSE(verify_dpop_proof(forged, error));
  EXPECT_NE(error.find("does not verify"), std::string::npos) << error;
  // Another key's header in front of this signature.
  const std::string foreign = *make_dpop_proof(generate_dpop_key_pem(), "POST", "http://127.0.0.1:1/v1/token", 5, "j", error);
  EXPECT_FALSE(verify_dpop_proof(part(foreign, 0) + "." + part(proof, 1) + "." + part(proof, 2), error));
  for (const std::string& bad : {std::string(), std::string("a.b"), std::string("!!.!!.!!"), proof + "x"})
    EXPECT_FALSE(verify_dpop_proof(bad, error)) << bad;
}

TEST(DpopProof, AKeyThatIsNotP256IsOneLineWithoutTheKey) {
  std::string error;
  EXPECT_FALSE(make_dpop_proof("-----BEGIN EC PRIVATE KEY-----\nnot a key\n-----END EC PRIVATE KEY-----\n", "POST",
                               "http://x", 1, "j", error));
  EXPECT_EQ(error, "the DPoP key is not a P-256 private key in PEM");
}

}  // namespace
}  // namespace ssm::crypto
