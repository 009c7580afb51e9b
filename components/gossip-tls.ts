// The pair's gossip certificates: a CA of the stack's own and one certificate per member, so each
// Alertmanager accepts only its peer (mutual TLS, configs/cluster.ts renderGossipTlsConfig). Made
// and kept in the state by the TLS provider: the private keys are secrets there and reach the
// containers as 0400 secret files; the certificates are public and travel as plain files.
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { GOSSIP_CERTIFICATES, GOSSIP_SERVER_NAME } from "../configs/cluster";

/** Five years; renewed by the first `up` within the last year (earlyRenewalHours). */
const VALIDITY_HOURS = 5 * 365 * 24;
const EARLY_RENEWAL_HOURS = 365 * 24;

export interface MemberCertificate {
  readonly certPem: pulumi.Output<string>;
  /** Secret. */
  readonly keyPem: pulumi.Output<string>;
}

export class GossipCertificates extends pulumi.ComponentResource {
  readonly caPem: pulumi.Output<string>;
  readonly members: Readonly<Record<string, MemberCertificate>>;

  constructor(name: string, args: { readonly members: readonly string[] }, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:GossipCertificates", name, {}, opts);
    const child = { parent: this };
    const key = (n: string): tls.PrivateKey => new tls.PrivateKey(n, { algorithm: "ECDSA", ecdsaCurve: GOSSIP_CERTIFICATES.curve }, child);

    const caKey = key(`${name}-ca-key`);
    const ca = new tls.SelfSignedCert(
      `${name}-ca`,
      {
        privateKeyPem: caKey.privateKeyPem,
        isCaCertificate: true,
        subject: { commonName: "observability-stack gossip CA" },
        validityPeriodHours: VALIDITY_HOURS,
        earlyRenewalHours: EARLY_RENEWAL_HOURS,
        allowedUses: [...GOSSIP_CERTIFICATES.caUses],
      },
      child,
    );
    this.caPem = ca.certPem;

    const members: Record<string, MemberCertificate> = {};
    for (const member of args.members) {
      const memberKey = key(`${name}-${member}-key`);
      const request = new tls.CertRequest(
        `${name}-${member}-csr`,
        { privateKeyPem: memberKey.privateKeyPem, subject: { commonName: `alertmanager-${member}` }, dnsNames: [GOSSIP_SERVER_NAME] },
        child,
      );
      const cert = new tls.LocallySignedCert(
        `${name}-${member}-cert`,
        {
          certRequestPem: request.certRequestPem,
          caPrivateKeyPem: caKey.privateKeyPem,
          caCertPem: ca.certPem,
          validityPeriodHours: VALIDITY_HOURS,
          earlyRenewalHours: EARLY_RENEWAL_HOURS,
          // Each member is a server to its peer's pushes and a client of its own.
          allowedUses: [...GOSSIP_CERTIFICATES.memberUses],
        },
        child,
      );
      members[member] = { certPem: cert.certPem, keyPem: pulumi.secret(memberKey.privateKeyPem) };
    }
    this.members = members;
    this.registerOutputs({ caPem: this.caPem });
  }
}
