package io.pgvigil.daemon.testing;

import java.util.ArrayList;
import java.util.List;
import org.commonmark.ext.gfm.tables.TableBody;
import org.commonmark.ext.gfm.tables.TableCell;
import org.commonmark.ext.gfm.tables.TableRow;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.Code;
import org.commonmark.node.CustomBlock;
import org.commonmark.node.CustomNode;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;

/** The body rows of every GFM table in a Markdown document, as commonmark (with GitHub's table extension) reads it. */
public final class MarkdownTables {

  private MarkdownTables() {}

  public static List<List<String>> rows(String markdown) {
    Node document = Parser.builder().extensions(List.of(TablesExtension.create())).build().parse(markdown);
    List<List<String>> rows = new ArrayList<>();
    document.accept(new AbstractVisitor() {
      @Override
      public void visit(CustomBlock block) {
        visitChildren(block);
      }

      @Override
      public void visit(CustomNode node) {
        if (node instanceof TableRow row && row.getParent() instanceof TableBody) {
          List<String> cells = new ArrayList<>();
          for (Node cell = row.getFirstChild(); cell != null; cell = cell.getNext()) {
            if (cell instanceof TableCell) {
              cells.add(text(cell));
            }
          }
          rows.add(cells);
        } else {
          visitChildren(node);
        }
      }
    });
    return rows;
  }

  private static String text(Node node) {
    StringBuilder text = new StringBuilder();
    node.accept(new AbstractVisitor() {
      @Override
      public void visit(Text t) {
        text.append(t.getLiteral());
      }

      @Override
      public void visit(Code code) {
        text.append(code.getLiteral());
      }
    });
    return text.toString().strip();
  }
}
