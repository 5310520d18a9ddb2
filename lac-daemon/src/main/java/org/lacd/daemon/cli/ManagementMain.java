package org.lacd.daemon.cli;

import java.io.PrintWriter;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.lacd.daemon.Cli;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The light entry point of the management commands ({@code lacd sessions}, {@code lacd session ID}, {@code lacd stats},
 * ...): the launcher runs this class instead of {@code org.lacd.daemon.Main} for them.
 *
 * <p>Why a parser of its own: an operator runs these commands dozens of times a day, and a command's time is almost all
 * JVM start. picocli builds its model of all of lacd's commands by reflection first (about 0.45 s of CPU here), and its
 * classes (built for Java 5) cannot go into a class-data sharing archive. This class binds the options of one management
 * command itself, reading the same {@code @Option}/{@code @Parameters} annotations, so the commands are declared once.
 * It handles the well-formed case only: help, version, a misspelt option, a missing value, anything else it does not
 * recognise goes to the full picocli command line ({@link Cli}), which prints the usual usage and errors.
 *
 * <p>The launcher ({@code packaging/src/bin/lacd}) lists the same names in its {@code mgmt_commands} line; a test keeps
 * the lists equal.
 */
public final class ManagementMain {
    /** picocli's marker for "no default value" in {@code @Option(defaultValue)}. */
    private static final String NO_DEFAULT = "__no_default_value__";

    /** Every management command, by name. Kept equal to Cli's management subcommands by a test. */
    static final Map<String, Supplier<ManagementCommands.Base>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("sessions", ManagementCommands.Sessions::new);
        COMMANDS.put("session", ManagementCommands.Session::new);
        COMMANDS.put("tunnels", ManagementCommands.Tunnels::new);
        COMMANDS.put("lns", ManagementCommands.Lns::new);
        COMMANDS.put("kick", ManagementCommands.Kick::new);
        COMMANDS.put("drain", ManagementCommands.Drain::new);
        COMMANDS.put("undrain", ManagementCommands.Undrain::new);
        COMMANDS.put("lac-peers", ManagementCommands.LacPeers::new);
        COMMANDS.put("drain-peer", ManagementCommands.DrainPeer::new);
        COMMANDS.put("undrain-peer", ManagementCommands.UndrainPeer::new);
        COMMANDS.put("clear-tunnel", ManagementCommands.ClearTunnel::new);
        COMMANDS.put("stats", ManagementCommands.Stats::new);
        COMMANDS.put("reload", ManagementCommands.Reload::new);
        COMMANDS.put("trace", ManagementCommands.Trace::new);
    }

    private ManagementMain() {}

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs with the given streams; never lets a stack trace reach the operator. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        ManagementCommands.Base cmd = bind(args);
        if (cmd == null) {
            return Cli.run(out, err, args);
        }
        return cmd.execute(out, err, args[0]);
    }

    /** The command with its options bound, or null when picocli should handle these arguments. */
    static ManagementCommands.Base bind(String... args) {
        if (args.length == 0 || !COMMANDS.containsKey(args[0])) {
            return null;
        }
        ManagementCommands.Base cmd = COMMANDS.get(args[0]).get();
        cmd.target = new ManagementCommands.Target();
        Map<String, Binding> options = new LinkedHashMap<>();
        List<Binding> positionals = new ArrayList<>();
        List<Binding> required = new ArrayList<>();
        try {
            for (Object owner : new Object[] {cmd.target, cmd}) {
                for (Field f : owner.getClass().getDeclaredFields()) {
                    Option o = f.getAnnotation(Option.class);
                    Parameters p = f.getAnnotation(Parameters.class);
                    if (o == null && p == null) {
                        continue;
                    }
                    f.setAccessible(true);
                    Binding b = new Binding(owner, f);
                    if (o != null) {
                        for (String n : o.names()) {
                            options.put(n, b);
                        }
                        if (!o.defaultValue().equals(NO_DEFAULT) && !b.set(o.defaultValue())) {
                            return null;
                        }
                        if (o.required()) {
                            required.add(b);
                        }
                    } else {
                        positionals.add(b);
                        required.add(b);
                    }
                }
            }
            List<Binding> seen = new ArrayList<>();
            int nextPositional = 0;
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                if (a.startsWith("-") && a.length() > 1 && !isNumber(a)) {
                    int eq = a.indexOf('=');
                    String name = eq > 0 ? a.substring(0, eq) : a;
                    Binding b = options.get(name);
                    if (b == null) {
                        return null; // --help, --version, a misspelling: picocli says it
                    }
                    if (b.field.getType() == boolean.class) {
                        if (eq > 0) {
                            return null;
                        }
                        b.field.setBoolean(b.owner, true);
                    } else {
                        String v = eq > 0 ? a.substring(eq + 1) : ++i < args.length ? args[i] : null;
                        if (v == null || !b.set(v)) {
                            return null;
                        }
                    }
                    seen.add(b);
                } else {
                    if (nextPositional >= positionals.size() || !positionals.get(nextPositional).set(a)) {
                        return null;
                    }
                    seen.add(positionals.get(nextPositional++));
                }
            }
            return seen.containsAll(required) ? cmd : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static boolean isNumber(String a) {
        return a.matches("-\\d+");
    }

    /** One annotated field and the object that holds it. */
    private record Binding(Object owner, Field field) {
        /** Converts and sets; false when the text does not convert (picocli then reports it). */
        boolean set(String text) throws IllegalAccessException {
            Class<?> t = field.getType();
            try {
                // if/else, not a ?: chain: a chain of Integer and Long operands would unbox and widen to long.
                Object v;
                if (t == String.class) {
                    v = text;
                } else if (t == Path.class) {
                    v = Path.of(text);
                } else if (t == int.class || t == Integer.class) {
                    v = Integer.valueOf(text);
                } else if (t == long.class || t == Long.class) {
                    v = Long.valueOf(text);
                } else {
                    v = null;
                }
                if (v == null) {
                    return false;
                }
                field.set(owner, v);
                return true;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
    }
}
