/** Subscriber and LNS emulators, the namespace lab and benchmarks. */
package org.lacd.lab;
