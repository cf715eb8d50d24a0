/** Usage-plan state in a Hazelcast cluster. */
package io.usageplans.hazelcast;
