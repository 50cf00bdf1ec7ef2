/** JMX: the JSR-107 cache MXBeans (configuration and statistics) and the store MXBean. */
package dev.persist.jcache.management;
