/**
 * The consumer as a named module. It needs nothing beyond {@code requires}: the library's child JVMs resolve this
 * module ({@code --add-modules}), and lambda and record deserialization do not need the package to be opened.
 */
module example.consumer {
    requires io.github.multiproc;
}
