// Every policy of the pack, as plain objects: tests call them directly, and index.ts hands them
// to the PolicyPack (constructing a pack starts its gRPC server, so only the entry file does).
import { BUCKET_POLICIES } from "./buckets";
import { CONTAINER_POLICIES } from "./containers";
import { EC2_POLICIES } from "./ec2";
import { narrowIngress, privatePortsFenced } from "./network";
import { SSH_POLICIES } from "./ssh";

export const RESOURCE_POLICIES = [...CONTAINER_POLICIES, narrowIngress, ...EC2_POLICIES, ...SSH_POLICIES];
export const STACK_POLICIES = [...BUCKET_POLICIES, privatePortsFenced];
