//! The HTTPS client a function reaches DynamoDB through: the SDK's own (hyper, rustls on
//! aws-lc), trusting only the roots of Amazon Trust Services, which issue the certificates of
//! every DynamoDB endpoint.
//!
//! The SDK's default client trusts the operating system's store instead, and reads it while the
//! function starts: on Debian that is a 220 KB bundle and 146 files of `/etc/ssl/certs`, parsed
//! into about 150 roots, some 3.3 ms of a cold start that without it takes about 3 ms (see
//! `docs/BENCHMARKS.md`). A function that speaks to one AWS service needs that service's roots
//! only. The plain-HTTP endpoint of DynamoDB Local is unaffected.

use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};

/// Amazon Root CA 1 to 4 and Starfield Services Root CA G2 (which cross-signs Amazon Root CA 1).
const AMAZON_TRUST_SERVICES: &str = include_str!("../certs/amazon-trust-services.pem");

pub(crate) fn client() -> SharedHttpClient {
    let trust = TrustStore::empty()
        .with_native_roots(false)
        .with_pem_certificate(AMAZON_TRUST_SERVICES.as_bytes());
    let context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .expect("a trust store without native roots always builds");
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ))
        .tls_context(context)
        .build_https()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    use sha2::{Digest, Sha256};

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02X}")).collect()
    }

    /// The bundled roots are exactly the five of Amazon Trust Services, byte for byte as
    /// published (SHA-256 of each DER certificate, as `openssl x509 -fingerprint -sha256`).
    #[test]
    fn bundled_roots_are_amazon_trust_services() {
        let fingerprints: Vec<String> =
            CertificateDer::pem_slice_iter(AMAZON_TRUST_SERVICES.as_bytes())
                .map(|der| hex(&Sha256::digest(der.expect("valid PEM"))))
                .collect();
        assert_eq!(
            fingerprints,
            [
                // Amazon Root CA 1
                "8ECDE6884F3D87B1125BA31AC3FCB13D7016DE7F57CC904FE1CB97C6AE98196E",
                // Amazon Root CA 2
                "1BA5B2AA8C65401A82960118F80BEC4F62304D83CEC4713A19C39C011EA46DB4",
                // Amazon Root CA 3
                "18CE6CFE7BF14E60B2E347B8DFE868CB31D02EBB3ADA271569F50343B46DB3A4",
                // Amazon Root CA 4
                "E35D28419ED02025CFA69038CD623962458DA5C695FBDEA3C22B0BFB25897092",
                // Starfield Services Root Certificate Authority - G2
                "568D6905A2C88708A4B3025190EDCFEDB1974A606A13C6E5290FCB2AE63EDAB5",
            ]
        );
    }
}
