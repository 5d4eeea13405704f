package dev.selfsup.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A row of an embedding Parquet file as DuckDB, a reader independent of the writer's library,
 * reads it.
 *
 * @param text the {@code text} column's value, or null (also where the file has no such column)
 */
public record ParquetRow(String id, Integer label, String text, float[] embedding) {
    /** Every row of {@code file}, in order. */
    public static List<ParquetRow> read(Path file) throws Exception {
        boolean hasText = columnTypes(file).contains("text VARCHAR");
        List<ParquetRow> rows = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT id, label, "
                        + (hasText ? "text" : "NULL") + ", embedding FROM read_parquet('"
                        + file + "')")) {
            while (result.next()) {
                Object[] list = (Object[]) result.getArray(4).getArray();
                float[] embedding = new float[list.length];
                for (int j = 0; j < list.length; j++) {
                    embedding[j] = (Float) list[j];
                }
                rows.add(new ParquetRow(result.getString(1), (Integer) result.getObject(2),
                        result.getString(3), embedding));
            }
        }
        return rows;
    }

    /** The file's columns as DuckDB types them, {@code "NAME TYPE"} in order. */
    public static List<String> columnTypes(Path file) throws Exception {
        List<String> columns = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(
                        "DESCRIBE SELECT * FROM read_parquet('" + file + "')")) {
            while (result.next()) {
                columns.add(result.getString(1) + " " + result.getString(2));
            }
        }
        return columns;
    }
}
