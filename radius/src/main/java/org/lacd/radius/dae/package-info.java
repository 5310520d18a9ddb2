/** RFC 5176 Dynamic Authorization server: Disconnect-Request and CoA-Request from allow-listed clients. */
package org.lacd.radius.dae;
