//! `coupon serve` as real processes (the binary), against a sandbox in the test process:
//! SIGTERM with issues in flight, and replicas sharing one PostgreSQL journal — one key sent
//! 100 times across three of them, and a replica SIGKILLed mid-request under drop faults, 20
//! times — with the sandbox's own list of what it issued as the judge.

#![cfg(unix)]

#[path = "serve_processes/replica.rs"]
mod replica;
#[path = "serve_processes/replicas.rs"]
mod replicas;
#[path = "serve_processes/sigterm.rs"]
mod sigterm;
#[path = "serve_processes/world.rs"]
mod world;
