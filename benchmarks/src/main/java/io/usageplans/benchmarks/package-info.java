/** JMH benchmarks of the decision path and the HTTP load harness; see docs/benchmarks.md. */
package io.usageplans.benchmarks;
