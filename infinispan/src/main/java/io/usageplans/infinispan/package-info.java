/** Usage-plan state in an Infinispan cluster: WildFly's own cache container, an embedded one, or the application's. */
package io.usageplans.infinispan;
