// Value shapes that both a renderer and the settings check: one definition each, so the
// settings never accept what a renderer would then refuse.

/** Grafana login names this program accepts for the admin user. */
export const ADMIN_USER_PATTERN = /^[A-Za-z0-9_.@-]{1,64}$/;
export const ADMIN_USER_ACCEPTED = '1-64 letters, digits, ".", "_", "@" or "-"';

/** AWS region names: us-east-1, eu-west-3, ap-southeast-2, us-gov-west-1, ... */
export const AWS_REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** A dotted-quad IPv4 address: four decimal octets 0-255 without leading zeros. */
export const IPV4_PATTERN = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
